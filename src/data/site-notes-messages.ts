// The English strings of the site notes (labels of categories, facts, values, concerns, read dates, the questions to
// ask, and every site's details and remarks), and a merge into public/_locales/en/messages.json.
// Run after editing src/data/site-notes.ts:  npx tsx src/data/site-notes-messages.ts
// It adds or updates the sites_* and question_* keys it owns, removes stale sites_detail_* / sites_remark_* keys,
// and leaves every other key as it is. The unit test fails while messages.json and these strings disagree.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FACT_KINDS,
  FACT_VALUES,
  SITE_CATEGORIES,
  categoryMessageKey,
  concernMessageKey,
  factDetailMessageKey,
  factTitleMessageKey,
  factValueMessageKey,
  remarkMessageKey,
  type Concern,
  type FactKind,
  type FactValue,
  type SiteCategory,
} from '../core/site-notes';
import { SITE_NOTE_RECORDS, UPLOAD_QUESTIONS } from './site-notes';

export interface ChromeMessage {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

const CATEGORY_LABELS: Record<SiteCategory, string> = {
  'ai-chat': 'General AI chat',
  'ai-image-reader': 'AI reader of medical images',
  'model-demo': 'AI demo apps made by third parties',
  'second-opinion': 'Second-opinion service',
  'imaging-service': 'Medical image upload service',
};

const FACT_TITLES: Record<FactKind, string> = {
  trainingUse: 'Training AI on your uploads',
  humanReview: 'People looking at uploads',
  thirdPartyAi: "Other companies' AI",
  retention: 'How long uploads are kept',
  deletion: 'Deleting uploads',
  serverLocation: 'Where uploads are stored',
  deidentification: 'Removing identifying data',
  hipaa: 'HIPAA',
  gdpr: 'GDPR',
  dicomAccepted: 'DICOM files',
  advertising: 'Advertising and analytics',
};

const VALUE_LABELS: { [K in FactKind]: Record<FactValue<K>, string> } = {
  trainingUse: {
    yes: 'Uploads are used to train AI models; no way to refuse was found.',
    'opt-out': 'Uploads may be used to train AI models unless you turn this off.',
    choice: 'You are asked whether your uploads may train AI models.',
    'opt-in': 'Uploads train AI models only if you agree.',
    no: 'Uploads are not used to train AI models.',
    unknown: 'Nothing was found on whether uploads train AI models.',
  },
  humanReview: {
    yes: 'People at the company may look at what you upload.',
    no: 'No one at the company looks at what you upload.',
    unknown: 'Nothing was found on whether people at the company look at uploads.',
  },
  thirdPartyAi: {
    yes: "Images are or may be sent to another company's AI.",
    no: "Images are not sent to other companies' AI.",
    unknown: "Nothing was found on whether images go to another company's AI.",
  },
  retention: {
    years: 'Uploads may be kept for a year or more.',
    'until-deleted': 'Uploads are kept until you delete them.',
    'as-needed': 'Uploads are kept for as long as the company finds necessary.',
    days: 'Uploads are kept for a stated period of less than a year.',
    'not-retained': 'Uploads are not kept after they are processed.',
    unknown: 'Nothing was found on how long uploads are kept.',
  },
  deletion: {
    no: 'Uploads cannot be deleted.',
    partial: 'Some copies stay after you delete.',
    yes: 'Uploads can be deleted.',
    unknown: 'Nothing was found on deleting uploads.',
  },
  serverLocation: {
    china: 'Stored on servers in China.',
    'united-states': 'Stored on servers in the United States.',
    'european-union': 'Stored on servers in the European Union.',
    unknown: 'Nothing was found on where uploads are stored.',
  },
  deidentification: {
    'user-responsibility': 'Removing identifying data is left to you.',
    'by-site': 'The site says it removes identifying data.',
    unknown: 'Nothing was found on whether the site removes identifying data.',
  },
  hipaa: {
    'not-covered': 'Says it is not covered by HIPAA.',
    'claims-compliance': 'Says it is HIPAA compliant in some respect.',
    voluntary: 'Not covered by HIPAA, but says it follows the HIPAA rules voluntarily.',
    covered: 'Says it is covered by HIPAA.',
    unknown: 'Nothing was found on HIPAA.',
  },
  gdpr: {
    stated: 'Its policy refers to the GDPR.',
    unknown: 'Nothing was found on the GDPR.',
  },
  dicomAccepted: {
    yes: 'Takes DICOM files, whose headers carry names and IDs unless they are removed.',
    no: 'Does not take DICOM files.',
    unknown: 'Nothing was found on whether it takes DICOM files.',
  },
  advertising: {
    yes: 'Shares data with advertising or analytics companies.',
    no: 'Does not share data for advertising.',
    unknown: 'Nothing was found on advertising or analytics.',
  },
};

const CONCERN_LABELS: Record<Concern, string> = {
  high: 'Worrying',
  medium: 'Worth a look',
  unknown: 'Not known',
  low: 'Reassuring',
};

const QUESTION_TEXTS: Record<string, string> = {
  who_can_see: 'Who besides the site can see my images: its staff, contractors, other AI companies, advertisers?',
  how_deidentified:
    'How are my images de-identified, and by whom? Does that include the file headers and text burned into the pictures?',
  privacy_notice: 'What does the notice of privacy practices say about research use and business associates?',
  opt_out_training: 'Can I opt out of my images being used to train AI, and does that cover what I have already uploaded?',
  how_long_kept: 'How long are my images kept, and can I have them deleted?',
  where_stored: 'In which country are my images stored, and whose laws apply there?',
  worth_uploading: 'Is it worth uploading at all? Could my own doctor or radiologist answer the question instead?',
};

/** Every English string the site notes need, keyed as in messages.json. */
export function siteNotesEnglishMessages(): Record<string, ChromeMessage> {
  const out: Record<string, ChromeMessage> = {};
  for (const category of SITE_CATEGORIES) {
    out[categoryMessageKey(category)] = { message: CATEGORY_LABELS[category], description: 'Site notes: kind of site.' };
  }
  for (const kind of FACT_KINDS) {
    out[factTitleMessageKey(kind)] = { message: FACT_TITLES[kind], description: 'Site notes: title of one fact about a site.' };
    for (const value of FACT_VALUES[kind] as readonly FactValue[]) {
      out[factValueMessageKey(kind, value)] = {
        message: (VALUE_LABELS[kind] as Record<string, string>)[value]!,
        description: `Site notes: what the site's policy says about "${FACT_TITLES[kind]}", in plain language.`,
      };
    }
  }
  for (const concern of Object.keys(CONCERN_LABELS) as Concern[]) {
    out[concernMessageKey(concern)] = {
      message: CONCERN_LABELS[concern],
      description: 'Site notes: how much a fact should worry someone about to upload a scan.',
    };
  }
  out.sites_read_not_recorded = { message: 'date read not recorded', description: 'Site notes: when a source was read is not known.' };
  out.sites_read_today = { message: 'read today', description: 'Site notes: the source was read today.' };
  out.sites_read_one_day_ago = { message: 'read yesterday', description: 'Site notes: the source was read one day ago.' };
  out.sites_read_days_ago = {
    message: 'read $DAYS$ days ago',
    description: 'Site notes: how many days ago the source was read.',
    placeholders: { days: { content: '$1', example: '40' } },
  };
  for (const q of UPLOAD_QUESTIONS) {
    out[q.messageKey] = { message: QUESTION_TEXTS[q.id]!, description: 'A question worth asking a site before uploading a scan.' };
  }
  for (const site of SITE_NOTE_RECORDS) {
    for (const kind of FACT_KINDS) {
      const detail = site.facts[kind]?.detail;
      if (detail !== undefined) {
        out[factDetailMessageKey(site.id, kind)] = {
          message: detail,
          description: `Site notes for ${site.name}: detail of "${FACT_TITLES[kind]}". Keep names, numbers and dates.`,
        };
      }
    }
    (site.remarks ?? []).forEach((remark, i) => {
      out[remarkMessageKey(site.id, i)] = {
        message: remark.text,
        description: `Site notes for ${site.name}: a remark about the service. Keep names, numbers and dates.`,
      };
    });
  }
  return out;
}

/** Keys only this script writes: stale ones (a detail or remark removed from the data) are deleted on merge. */
const OWNED_GENERATED = /^sites_(?:detail|remark)_/;

export function mergeSiteNotesMessages(existing: Record<string, ChromeMessage>): Record<string, ChromeMessage> {
  const generated = siteNotesEnglishMessages();
  const merged: Record<string, ChromeMessage> = {};
  for (const [key, value] of Object.entries(existing)) {
    if (!OWNED_GENERATED.test(key) || key in generated) merged[key] = value;
  }
  return Object.assign(merged, generated);
}

const MESSAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/_locales/en/messages.json');

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const existing = JSON.parse(fs.readFileSync(MESSAGES, 'utf8')) as Record<string, ChromeMessage>;
  const merged = mergeSiteNotesMessages(existing);
  fs.writeFileSync(MESSAGES, `${JSON.stringify(merged, null, 2)}\n`);
  const added = Object.keys(merged).filter((k) => !(k in existing)).length;
  console.log(`messages.json: ${Object.keys(merged).length} keys (${added} added)`);
}
