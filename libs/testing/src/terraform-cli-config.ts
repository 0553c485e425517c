import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WORK_DIR } from './paths';

/** The provider release xetl is built and tested against (bound by @cdktf/provider-aws 20.1.0). */
export const AWS_PROVIDER_VERSION = '5.100.0';

const MIRROR_CANDIDATES = [
  process.env.XETL_TF_PROVIDER_MIRROR,
  '/opt/tf-plugins',
  '/usr/share/terraform/plugins',
  '/usr/local/share/terraform/plugins',
  path.join(os.homedir(), '.terraform.d', 'plugins'),
  path.join(os.homedir(), '.local', 'share', 'terraform', 'plugins'),
].filter((p): p is string => Boolean(p));

/**
 * Finds a filesystem mirror that holds the pinned aws provider for this platform, i.e. a folder
 * with `registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/`. Undefined when none exists.
 */
export function findProviderMirror(candidates: readonly string[] = MIRROR_CANDIDATES): string | undefined {
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  return candidates.find((dir) =>
    fs.existsSync(path.join(dir, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION, platform)),
  );
}

/**
 * Renders a Terraform CLI config: with a mirror, providers come only from it (machines without
 * internet); without one, from the registry as usual. A plugin cache lets every stack directory
 * link the same unpacked provider instead of copying ~700 MB per init.
 */
export function renderCliConfig(mirror: string | undefined, pluginCacheDir: string): string {
  const lines = [
    `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`,
    // No lock files are committed for synthesized stacks; the cache must still be usable.
    'plugin_cache_may_break_dependency_lock_file = true',
  ];
  if (mirror) {
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

/** Writes the harness's CLI config under .work/terraform and returns its path. */
export function writeCliConfig(workDir: string = WORK_DIR): string {
  const dir = path.join(workDir, 'terraform');
  const pluginCache = path.join(dir, 'plugin-cache');
  fs.mkdirSync(pluginCache, { recursive: true });
  const file = path.join(dir, 'terraformrc');
  const content = renderCliConfig(findProviderMirror(), pluginCache);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content) fs.writeFileSync(file, content);
  return file;
}

/** Environment for every terraform call the harness makes. */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: writeCliConfig(),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}
