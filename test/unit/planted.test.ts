// Every row of PS3.15 Table E.1-1, planted with a distinct value in every transfer syntax, at top level
// and nested two sequences deep (defined and undefined lengths), is found by the scan.
import { describe, expect, it } from 'vitest';
import { scanFile } from '../../src/core/scan';
import { bytesSource } from '../../src/core/source';
import type { FileReport, Finding } from '../../src/core/report';
import { writeDicom, type TransferSyntax, ENCAPSULATED_TRANSFER_SYNTAXES } from '../fixtures/dicom-writer';
import { plantedDataset, NESTING_PATH, PRIVATE_CREATOR, type Nesting, type PlantedRow } from '../fixtures/planted';

const SYNTAXES: TransferSyntax[] = [
  'implicit-le', 'explicit-le', 'explicit-be', 'deflated', 'jpeg-baseline', 'jpeg-ls', 'jpeg2000', 'rle', 'htj2k',
];
const NESTINGS: Nesting[] = ['none', 'defined', 'undefined'];

function pixelsFor(ts: TransferSyntax): { bytes: Uint8Array } | { frames: Uint8Array[] } {
  return ENCAPSULATED_TRANSFER_SYNTAXES.includes(ts) ? { frames: [new Uint8Array([1, 2, 3, 4])] } : { bytes: new Uint8Array(32) };
}

function findingAt(report: FileReport, row: PlantedRow, sequence: readonly string[]): Finding | undefined {
  return report.findings.find(
    (f) => f.tag === row.concreteTag && f.sequence.length === sequence.length && f.sequence.every((s, i) => s === sequence[i]),
  );
}

function expectFound(report: FileReport, row: PlantedRow, sequence: readonly string[]): void {
  const f = findingAt(report, row, sequence);
  const where = `${row.keyword} (${row.concreteTag}) at [${sequence.join('>')}]`;
  expect(f, where).toBeDefined();
  if (!f) return;
  switch (row.form) {
    case 'text':
      expect(f.value, where).toBe(row.value);
      break;
    case 'numeric':
      expect(f.value, where).toBe(String(row.number));
      break;
    case 'sequence':
      expect(f.value, where).toBe('1 item');
      break;
    case 'binary':
      expect(f.value ?? f.note, where).toBeTruthy();
      break;
  }
  if (row.id === 'GGGGEEEE') {
    expect(f.private, where).toBe(true);
    expect(f.creator, where).toBe(PRIVATE_CREATOR);
  }
}

describe('every E.1-1 row is found', () => {
  for (const ts of SYNTAXES) {
    for (const nested of NESTINGS) {
      it(`${ts}, nesting ${nested}`, async () => {
        const { dataset, rows } = plantedDataset({ nested });
        const bytes = writeDicom(dataset, { transferSyntax: ts, pixelData: pixelsFor(ts) });
        const report = await scanFile({ path: 'planted.dcm', source: bytesSource(bytes) });
        expect(report.verdict).toBe('identifying');
        expect(report.format).toBe('dicom');
        expect(rows).toHaveLength(621);
        for (const row of rows) {
          expectFound(report, row, []);
          if (nested !== 'none' && !row.topLevelOnly) expectFound(report, row, NESTING_PATH);
        }
      });
    }
  }

  it('reads none of the pixel data of a native image', async () => {
    const { dataset } = plantedDataset();
    const pixels = new Uint8Array(16 * 1024 * 1024);
    const bytes = writeDicom(dataset, { transferSyntax: 'explicit-le', pixelData: { bytes: pixels } });
    const report = await scanFile({ path: 'big.dcm', source: bytesSource(bytes) });
    expect(report.verdict).toBe('identifying');
    // One first read of 256 KiB, then the trailing padding after the pixel data: never the 16 MiB between.
    expect(report.bytesRead).toBeLessThan(256 * 1024 + 64 * 1024);
    expect(report.findings.some((f) => f.tag === 'FFFCFFFC')).toBe(true);
  });
});
