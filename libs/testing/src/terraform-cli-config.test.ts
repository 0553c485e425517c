import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_PROVIDER_VERSION, findProviderMirror, renderCliConfig } from './terraform-cli-config';
import { emulatorOverride } from './emulator-override';
import endpoints from './aws-provider-endpoints.json';

function fakeMirror(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  fs.mkdirSync(path.join(root, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION, platform), { recursive: true });
  return root;
}

describe('Terraform CLI config', () => {
  test('finds a mirror that holds the pinned provider for this platform', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-'));
    const mirror = fakeMirror();
    expect(findProviderMirror([empty, mirror])).toBe(mirror);
    expect(findProviderMirror([empty])).toBeUndefined();
  });

  test('with a mirror, takes hashicorp providers only from it', () => {
    const text = renderCliConfig('/opt/mirror', '/tmp/cache');
    expect(text).toContain('filesystem_mirror {\n    path    = "/opt/mirror"');
    expect(text).toContain('direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]');
    expect(text).toContain('plugin_cache_dir = "/tmp/cache"');
  });

  test('without a mirror, leaves installation to the registry', () => {
    const text = renderCliConfig(undefined, '/tmp/cache');
    expect(text).not.toContain('provider_installation');
  });
});

describe('emulator override', () => {
  test('points every endpoint of the provider at the emulator, with local state', () => {
    const o = emulatorOverride({ endpoint: 'http://127.0.0.1:4566', statePath: '/tmp/s.tfstate' }) as any;
    const ep = o.provider.aws[0].endpoints[0];
    expect(Object.keys(ep)).toHaveLength(endpoints.keys.length);
    expect(new Set(Object.values(ep))).toEqual(new Set(['http://127.0.0.1:4566']));
    expect(ep).toMatchObject({ s3: 'http://127.0.0.1:4566', sts: 'http://127.0.0.1:4566', iam: 'http://127.0.0.1:4566' });
    expect(o.terraform.backend).toEqual({ local: { path: '/tmp/s.tfstate' } });
  });

  test('refuses an endpoint off the loopback interface', () => {
    expect(() => emulatorOverride({ endpoint: 'http://10.0.0.5:4566', statePath: 's' })).toThrow('must be on loopback');
  });
});
