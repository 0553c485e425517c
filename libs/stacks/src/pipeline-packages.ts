import * as path from 'node:path';
import { buildZipFile, listAssetFiles, requireFile } from '@xetl/constructs';

/** The Glue job's library (`--extra-py-files`): the pure-transform package, built at synth. */
export function glueLibraryZip(root: string): string {
  const dir = path.join(root, 'glue-scripts', 'xetl_transform');
  requireFile(path.join(dir, '__init__.py'), 'the Glue transform package glue-scripts/xetl_transform is missing');
  const files = listAssetFiles({ dir, keyPrefix: 'xetl_transform/', include: /\.py$/, exclude: [/(^|\/)__pycache__\//] });
  return buildZipFile('xetl_transform.zip', files.map((f) => ({ name: f.key, path: f.path })));
}

/** The transform's JVM functions (`--extra-jars`), built deterministically by `nx run glue-scripts:jar`. */
export function glueTransformJar(root: string): string {
  return requireFile(
    path.join(root, 'dist', 'glue-scripts', 'xetl-transform.jar'),
    'build it with `npx nx run glue-scripts:jar` (the Glue transform\'s record functions; needs a JDK 17)',
  );
}

/** The trigger Lambda's deployment package: the handler module and its package marker only (boto3
 * comes with the python3.12 runtime; the rest of xetl_trigger is local tooling), built at synth. */
export function triggerZip(root: string): string {
  const dir = path.join(root, 'apps', 'trigger', 'xetl_trigger');
  const entries = ['__init__.py', 'handler.py'].map((name) => ({
    name: `xetl_trigger/${name}`,
    path: requireFile(path.join(dir, name), `the trigger package apps/trigger/xetl_trigger is missing ${name}`),
  }));
  return buildZipFile('trigger.zip', entries);
}
