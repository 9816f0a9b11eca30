// Private elements known to hold no identity, kept by the Retain Safe Private option (PS3.15 E.3.10).
//
// Hand-kept (there is no machine-readable source in ../shared/data): a small subset of the safe private
// attributes listed by PixelMed's ClinicalTrialsAttributes.isSafePrivateAttribute (D. Clunie), the list
// that PS3.15 E.3.10 and TCIA's curation follow, limited here to numbers (scale factors, doses, timings,
// geometry) so that no element on it can carry typed text. Each entry: the private creator as written in
// (gggg,00xx), the group, the element's low byte within its block, and the VRs its value may have.

export interface SafePrivateElement {
  readonly creator: string;
  readonly group: number;
  /** The element number within the private block (the low byte of the element). */
  readonly element: number;
  readonly vrs: readonly string[];
  readonly meaning: string;
}

export const SAFE_PRIVATE_ELEMENTS: readonly SafePrivateElement[] = [
  { creator: 'Philips PET Private Group', group: 0x7053, element: 0x00, vrs: ['DS'], meaning: 'SUV factor' },
  { creator: 'Philips PET Private Group', group: 0x7053, element: 0x09, vrs: ['DS'], meaning: 'activity concentration factor' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, element: 0x0d, vrs: ['FL'], meaning: 'scale intercept' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, element: 0x0e, vrs: ['FL'], meaning: 'scale slope' },
  { creator: 'PHILIPS MR IMAGING DD 001', group: 0x2005, element: 0x0d, vrs: ['FL'], meaning: 'scale intercept' },
  { creator: 'PHILIPS MR IMAGING DD 001', group: 0x2005, element: 0x0e, vrs: ['FL'], meaning: 'scale slope' },
  { creator: 'ELSCINT1', group: 0x00e1, element: 0x21, vrs: ['DS'], meaning: 'DLP' },
  { creator: 'ELSCINT1', group: 0x00e1, element: 0x50, vrs: ['DS'], meaning: 'acquisition duration' },
  { creator: 'ELSCINT1', group: 0x01f1, element: 0x07, vrs: ['DS'], meaning: 'table velocity' },
  { creator: 'ELSCINT1', group: 0x01f1, element: 0x26, vrs: ['DS'], meaning: 'pitch' },
  { creator: 'ELSCINT1', group: 0x01f1, element: 0x27, vrs: ['DS'], meaning: 'rotation time' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, element: 0x23, vrs: ['DS'], meaning: 'table speed' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, element: 0x24, vrs: ['DS'], meaning: 'mid scan time' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, element: 0x27, vrs: ['DS'], meaning: 'rotation speed' },
  { creator: 'GEMS_SERS_01', group: 0x0025, element: 0x07, vrs: ['SL'], meaning: 'images in series' },
  { creator: 'GEMS_PARM_01', group: 0x0043, element: 0x6f, vrs: ['DS'], meaning: 'scanner table entry and gradient coil' },
  { creator: 'GEMS_HELIOS_01', group: 0x0045, element: 0x01, vrs: ['SS'], meaning: 'number of macro rows in detector' },
  { creator: 'GEMS_HELIOS_01', group: 0x0045, element: 0x02, vrs: ['FL'], meaning: 'macro width at isocentre' },
  { creator: 'GEIIS PACS', group: 0x0903, element: 0x10, vrs: ['US'], meaning: 'reject image flag' },
  { creator: 'GEIIS PACS', group: 0x0903, element: 0x11, vrs: ['US'], meaning: 'significant flag' },
  { creator: 'GEIIS PACS', group: 0x0903, element: 0x12, vrs: ['US'], meaning: 'confidential flag' },
];
