// The dcmjs comparison for bench/cli.bench.ts: reads every file under a folder whole with dcmjs's
// DicomMessage.readFile (which parses the whole file) and prints how many name a patient.
import fs from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';

dcmjs.log.setLevel('silent');
let named = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else {
      const bytes = fs.readFileSync(file);
      const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      if (dict.dict['00100010']) named++;
    }
  }
}
walk(process.argv[2]);
console.log(named);
