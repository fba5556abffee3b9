// `npm run package`: zips the deployment package into .deploy/app.zip and stages it in .deploy/app. azd runs this
// script itself during `azd deploy` (its npm framework service runs `npm run package`), then deploys .deploy/app.
import * as path from 'node:path';
import { packageApp } from './packageApp';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const started = Date.now();
  const result = await packageApp(root);
  const mb = (result.zipBytes / 1024 / 1024).toFixed(1);
  console.log(`Packaged ${result.entries.length} files into ${path.relative(root, result.zipPath)} (${mb} MB) in ${Date.now() - started} ms; staged in ${path.relative(root, result.stageDir ?? '')}.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
