// The dialog page's heavy half, loaded while its first view ("Checking…") is on screen: the scan, the
// text in the pictures, the de-identified copies (the whole engine).

export { scanFiles } from '../../core/scan';
export { groupedReadAheadSources, blobSource } from '../../core/source';
export { DEFAULT_HEADER_LIMITS } from '../../core/dicom/header';
export { readZip } from '../../core/zip/zip';
export { maskPlans } from '../../core/text/picture-findings';
export { prepareCleanCopies } from './clean-copy';
export { PicturePanel, picturesForPanel } from './picture-panel';
export { workerPictureReading, workerDocumentReading, hasPictures, hasDocuments, regionKey, zipEntryBlob, withoutPictureGuesses } from './pictures';
export { documentPlans } from '../../core/documents/document-clean';
