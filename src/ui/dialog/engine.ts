// The dialog page's heavy half, loaded while its first view ("Checking…") is on screen: the scan, the
// de-identified copies and the previews of pictures that may show text (the whole engine).

export { scanFiles } from '../../core/scan';
export { groupedReadAheadSources } from '../../core/source';
export { DEFAULT_HEADER_LIMITS } from '../../core/dicom/header';
export { prepareCleanCopies } from './clean-copy';
export { PreviewPanel, picturesToPreview } from './preview';
