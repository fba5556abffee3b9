// Extracts a zip into a folder with yauzl (the reading counterpart of yazl, by the same author), refusing entries
// that would land outside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';

export function unzip(zipPath: string, into: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError) return reject(openError);
      const names: string[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        const target = path.resolve(into, entry.fileName);
        if (!target.startsWith(path.resolve(into) + path.sep)) return reject(new Error(`zip entry escapes the folder: ${entry.fileName}`));
        names.push(entry.fileName);
        if (entry.fileName.endsWith('/')) {
          fs.mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const out = fs.createWriteStream(target);
          out.on('close', () => zip.readEntry());
          out.on('error', reject);
          stream.pipe(out);
        });
      });
      zip.readEntry();
    });
  });
}
