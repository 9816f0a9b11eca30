// Plain-language category and severity for each PS3.15 E.1-1 row: how much an attribute says about a person.
//
// high: names or points at the person (names, IDs, birth date, address, phone).
// medium: narrows it down when combined (dates and times, institution, staff, devices, descriptions).
// low: everything else the standard lists (UIDs, and the age, sex, size and weight that the Retain
// Patient Characteristics option keeps).

import type { ProfileRow } from '../../data/confidentiality-profile';
import type { Category, Severity } from '../report';

export interface Classification {
  readonly category: Category;
  readonly severity: Severity;
}

const HIGH_NAMES = new Set([
  'PatientName',
  'OtherPatientNames',
  'PatientBirthName',
  'PatientMotherBirthName',
  'ResponsiblePerson',
]);

const HIGH_IDENTIFIERS = new Set([
  'PatientID',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'AccessionNumber',
  'MedicalRecordLocator',
  'AdmissionID',
  'ServiceEpisodeID',
  'InsurancePlanIdentification',
  'PatientInsurancePlanCodeSequence',
  'ClinicalTrialSubjectID',
  'ClinicalTrialSubjectReadingID',
  'PlacerOrderNumberImagingServiceRequest',
  'FillerOrderNumberImagingServiceRequest',
  'ReferencedPatientAliasSequence',
]);

const MEDIUM_IDENTIFIERS = new Set([
  'StudyID',
  'IssuerOfPatientID',
  'RequestedProcedureID',
  'ScheduledProcedureStepID',
  'PerformedProcedureStepID',
  'ResultsID',
  'InterpretationID',
  'SpecimenAccessionNumber',
  'SpecimenIdentifier',
  'ContainerIdentifier',
  'SlideIdentifier',
  'ClinicalTrialProtocolID',
  'ClinicalTrialSiteID',
  'ClinicalTrialSeriesID',
  'ClinicalTrialTimePointID',
  'ReferencedPatientSequence',
  'ReferencedPatientPhotoSequence',
]);

const BIRTH = new Set(['PatientBirthDate', 'PatientBirthTime', 'PatientBirthDateInAlternativeCalendar']);

const HIGH_CONTACT = new Set(['PatientAddress', 'PatientTelephoneNumbers', 'PatientTelecomInformation']);

const MEDIUM_CONTACT = new Set([
  'CountryOfResidence',
  'RegionOfResidence',
  'PatientInstitutionResidence',
  'ScheduledPatientInstitutionResidence',
  'CurrentPatientLocation',
  'PatientTransportArrangements',
]);

const STRUCTURED = new Set([
  'ContentSequence',
  'AcquisitionContextSequence',
  'SpecimenPreparationSequence',
  'OriginalAttributesSequence',
  'ModifiedAttributesSequence',
  'NonconformingModifiedAttributesSequence',
  'NonconformingDataElementValue',
]);

const PICTURE = new Set(['IconImageSequence', 'OverlayData', 'CurveData', 'GraphicAnnotationSequence']);

const LOW_OTHER = new Set([
  'DataSetTrailingPadding',
  'DigitalSignaturesSequence',
  'ReferencedDigitalSignatureSequence',
  'ReferencedSOPInstanceMACSequence',
  'MAC',
  'CertificateOfSigner',
  'CertifiedTimestamp',
  'InstanceOriginStatus',
  'FlowIdentifierSequence',
  'FlowIdentifier',
  'SourceIdentifier',
]);

const PEOPLE_OR_PLACE = /Physician|Operator|Observer|Performer|Person|Author|Reviewer|Interpret|Recipient|Distribution|Institution|Department|Organization|Sponsor|Coordinating|Ethics|Site|Custodial|Participant|Creator|Verifying|Enter|Requesting|Location|Verbal|Address|Telephone|Telecom|Phone|Trial|Owner|Topic|Issuer|Custodian|Service/;

const DEVICE = /Station|AETitle|Device|Serial|Plate|Generator|Cassette|Gantry|Detector|XRaySource|UDI|Lens|Machine|Manufacturer|Transducer|ModifyingSystem|NetworkID|Originator|AE$|AEValue|Accessory|Source/;

const TEXT_VRS = new Set(['LO', 'SH', 'LT', 'ST', 'UT', 'UC']);

/** The category and severity of a profile row. `vr` is the dictionary VR (or the encoded one). */
export function classifyRow(row: Pick<ProfileRow, 'keyword' | 'basic' | 'options'>, vr: string): Classification {
  const k = row.keyword;
  if (HIGH_NAMES.has(k)) return { category: 'name', severity: 'high' };
  if (BIRTH.has(k)) return { category: 'birth-date', severity: 'high' };
  if (HIGH_IDENTIFIERS.has(k)) return { category: 'identifier', severity: 'high' };
  if (HIGH_CONTACT.has(k)) return { category: 'contact', severity: 'high' };
  if (MEDIUM_CONTACT.has(k) || k.startsWith('GPS')) return { category: 'contact', severity: 'medium' };
  if (MEDIUM_IDENTIFIERS.has(k)) return { category: 'identifier', severity: 'medium' };
  if (row.options.retainPatientCharacteristics === 'K') return { category: 'patient-characteristics', severity: 'low' };
  if (PICTURE.has(k)) return { category: 'picture-content', severity: 'medium' };
  if (LOW_OTHER.has(k)) return { category: 'other', severity: 'low' };
  if (STRUCTURED.has(k) || k.startsWith('Selector')) return { category: 'structured-content', severity: 'medium' };
  if (k === 'OverlayComments') return { category: 'free-text', severity: 'medium' };
  if (k.startsWith('PatientPrimaryLanguage')) return { category: 'patient-characteristics', severity: 'medium' };
  if (vr === 'UI' || k.endsWith('UID') || row.basic === 'U' || row.basic === 'X/Z/U*' || (vr === 'SQ' && row.options.retainUids === 'K')) {
    return { category: 'uids', severity: 'low' };
  }
  if (vr === 'DA' || vr === 'DT' || vr === 'TM' || k === 'TimezoneOffsetFromUTC' || k === 'FrameOriginTimestamp') {
    return { category: 'dates', severity: 'medium' };
  }
  if (vr === 'PN') return { category: 'people-and-institution', severity: 'medium' };
  if (row.options.retainDeviceIdentity !== undefined || DEVICE.test(k)) return { category: 'device', severity: 'medium' };
  if (row.options.retainInstitutionIdentity !== undefined || PEOPLE_OR_PLACE.test(k)) {
    return { category: 'people-and-institution', severity: 'medium' };
  }
  if (row.options.cleanDescriptors !== undefined || TEXT_VRS.has(vr) || k === 'EncapsulatedDocument') {
    return { category: 'free-text', severity: 'medium' };
  }
  if (row.options.retainPatientCharacteristics !== undefined) {
    return { category: 'patient-characteristics', severity: 'medium' };
  }
  if (vr === 'SQ') return { category: 'other', severity: 'medium' };
  return { category: 'other', severity: 'low' };
}
