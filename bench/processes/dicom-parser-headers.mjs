// The bare comparison for bench/cli.bench.ts: reads the header of every file under a folder with
// dicom-parser (first 64 KiB, parsed up to the pixel data) and prints how many name a patient.
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';

const buffer = new Uint8Array(64 * 1024);
let named = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else {
      const fd = fs.openSync(file, 'r');
      const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
      fs.closeSync(fd);
      const dataSet = dicomParser.parseDicom(buffer.subarray(0, length), { untilTag: 'x7fe00010' });
      if (dataSet.string('x00100010') !== undefined) named++;
    }
  }
}
walk(process.argv[2]);
console.log(named);
