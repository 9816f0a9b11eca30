// The English strings of the site notes (labels of categories, fact kinds, values, concerns, the questions to ask,
// and every site's findings and remarks), and a merge into public/_locales/en/messages.json.
// Run after editing src/data/site-notes.ts:  npx tsx src/data/site-notes-messages.ts
// It adds or updates the sites_* and question_* keys it owns, removes stale sites_about_*, sites_detail_* and
// sites_remark_* keys, and leaves every other key as it is. The unit test fails while messages.json and these
// strings disagree; translations (es, de, fr) are added by hand, and the locales test fails while one is missing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DURATION_VALUES,
  FACT_KINDS,
  FACT_VALUES,
  SITE_CATEGORIES,
  categoryMessageKey,
  concernMessageKey,
  factTitleMessageKey,
  factValueMessageKey,
  findingAboutMessageKey,
  findingDetailMessageKey,
  remarkMessageKey,
  type Concern,
  type FactKind,
  type FactValue,
  type FindingRecord,
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
  'model-demo': 'AI apps made by third parties',
  'second-opinion': 'Second-opinion service',
  'imaging-service': 'Medical image service',
};

const FACT_TITLES: Record<FactKind, string> = {
  trainingUse: 'Training AI on your uploads',
  humanReview: 'People looking at uploads',
  thirdPartyAi: 'Other companies',
  retention: 'How long uploads are kept',
  deletion: 'Deleting uploads',
  serverLocation: 'Where uploads are stored',
  deidentification: 'Removing identifying data',
  hipaa: 'HIPAA',
  gdpr: 'GDPR and other data-protection law',
  dicomAccepted: 'DICOM files',
  advertising: 'Advertising and analytics',
};

const NOT_KNOWN = 'Not known: nothing was found';

/** Each value in plain words. They are the one-line answers of the popup's first screen, so they stay short. */
const VALUE_LABELS: { [K in FactKind]: Record<FactValue<K>, string> } = {
  trainingUse: {
    yes: 'Yes, and no way to refuse was found',
    'opt-out': 'Yes, unless you turn it off',
    limited: 'In a limited way',
    depends: 'Depends on who made the app',
    'opt-in': 'Only if you agree',
    'not-listed': 'Not among the uses it lists',
    no: 'No',
    unknown: NOT_KNOWN,
  },
  humanReview: {
    yes: 'People at the company may look at it',
    owner: "The app's owner can look at it",
    limited: 'A few staff, for stated reasons',
    clinicians: 'The doctors or radiologists you ask',
    no: 'No one at the company',
    unknown: NOT_KNOWN,
  },
  thirdPartyAi: {
    yes: "Sent to other companies' AI",
    limited: 'Shared with service providers or partners',
    no: 'Not sent to other companies',
    unknown: NOT_KNOWN,
  },
  retention: {
    period: 'Kept up to $DURATION$',
    'until-deleted': 'Kept until you delete it',
    unstated: 'Kept, with no time limit stated',
    'as-needed': 'Kept as long as they find necessary',
    depends: 'Depends on who made the app',
    'not-retained': 'Not kept after it is processed',
    unknown: NOT_KNOWN,
  },
  deletion: {
    no: 'You cannot delete it',
    partial: 'Some copies stay after you delete',
    'on-request': 'Deleted if you ask them',
    yes: 'You can delete it',
    automatic: 'Deleted automatically',
    unknown: NOT_KNOWN,
  },
  serverLocation: {
    china: 'Stored in China',
    russia: 'Run under Russian law',
    'united-states': 'Stored in the United States',
    'european-union': 'Stored in the European Union',
    device: 'Stays on your device',
    unknown: NOT_KNOWN,
  },
  deidentification: {
    'user-responsibility': 'Removing identifying data is left to you',
    'tool-offered': 'It offers a tool, which you must use',
    'for-training': 'Identifying data is removed for training only',
    'by-site': 'The site says it removes identifying data',
    unknown: NOT_KNOWN,
  },
  hipaa: {
    'not-covered': 'Says it is not covered by HIPAA',
    'left-to-user': 'Leaves HIPAA compliance to you',
    'baa-pending': 'HIPAA agreements with its AI vendors are pending',
    'claims-compliance': 'Says it is HIPAA compliant in some respect',
    voluntary: 'Not covered by HIPAA; follows its rules voluntarily',
    'baa-offered': 'Offers a HIPAA business associate agreement',
    unknown: NOT_KNOWN,
  },
  gdpr: {
    'regulator-action': 'A data-protection regulator has acted',
    'other-law': "Cites another country's data-protection law",
    stated: 'EU or UK data-protection rights are stated',
    unknown: NOT_KNOWN,
  },
  dicomAccepted: {
    yes: 'Takes DICOM files, whose headers carry names and IDs',
    'not-named': 'Takes images or documents; DICOM is not named',
    no: 'Does not take DICOM files',
    unknown: NOT_KNOWN,
  },
  advertising: {
    yes: 'Tied to advertising',
    'ads-shown': 'Shows ads; says chats stay private from advertisers',
    analytics: 'Uses analytics or tracking tools',
    marketing: 'Uses your data for marketing',
    no: 'Not used for advertising',
    unknown: NOT_KNOWN,
  },
};

/** Deletion values with a duration ("within 30 days"). */
const WITHIN_LABELS: Partial<Record<FactValue<'deletion'>, string>> = {
  'on-request': 'Deleted if you ask them, within $DURATION$',
  yes: 'You can delete it; gone within $DURATION$',
  automatic: 'Deleted automatically within $DURATION$',
};

const CONCERN_LABELS: Record<Concern, string> = {
  high: 'Worrying',
  medium: 'Worth a look',
  unknown: 'Not known',
  low: 'Reassuring',
};

const DURATION_PLACEHOLDER = { duration: { content: '$1', example: '30 days' } };

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
    out[factTitleMessageKey(kind)] = { message: FACT_TITLES[kind], description: 'Site notes: title of one kind of fact about a site.' };
    for (const value of FACT_VALUES[kind] as readonly FactValue[]) {
      const message = (VALUE_LABELS[kind] as Record<string, string>)[value]!;
      out[factValueMessageKey(kind, value)] = {
        message,
        description: `Site notes: what the site's pages say about "${FACT_TITLES[kind]}", as a short answer (the popup's first screen shows it).`,
        ...(message.includes('$DURATION$') && { placeholders: DURATION_PLACEHOLDER }),
      };
    }
  }
  for (const value of DURATION_VALUES.deletion ?? []) {
    out[factValueMessageKey('deletion', value, true)] = {
      message: WITHIN_LABELS[value]!,
      description: 'Site notes: how uploads are deleted, with how long it takes ("30 days", "24 hours").',
      placeholders: DURATION_PLACEHOLDER,
    };
  }
  for (const concern of Object.keys(CONCERN_LABELS) as Concern[]) {
    out[concernMessageKey(concern)] = {
      message: CONCERN_LABELS[concern],
      description: 'Site notes: how much a fact should worry someone about to upload a scan.',
    };
  }
  for (const q of UPLOAD_QUESTIONS) {
    out[q.messageKey] = { message: QUESTION_TEXTS[q.id]!, description: 'A question worth asking a site before uploading a scan.' };
  }
  for (const site of SITE_NOTE_RECORDS) {
    for (const kind of FACT_KINDS) {
      ((site.facts[kind] ?? []) as readonly FindingRecord[]).forEach((finding, i) => {
        if (finding.about !== undefined) {
          out[findingAboutMessageKey(site.id, kind, i)] = {
            message: finding.about,
            description: `Site notes for ${site.name}: what one finding about "${FACT_TITLES[kind]}" applies to (shown after the answer). Keep names, numbers and dates.`,
          };
        }
        if (finding.detail !== undefined) {
          out[findingDetailMessageKey(site.id, kind, i)] = {
            message: finding.detail,
            description: `Site notes for ${site.name}: more about one finding on "${FACT_TITLES[kind]}". Keep names, numbers and dates.`,
          };
        }
      });
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

/** Keys only this script writes: stale ones (a finding, remark or value removed from the data) are deleted on merge. */
const OWNED_GENERATED = /^sites_(?:about|detail|remark|read|value)_/;

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
