/**
 * The workflows' security rules and their link to the code: every action pinned to a commit,
 * least-privilege permissions, no keys, no pull_request_target, non-overlapping deploys, and
 * every command they run an npm script, Nx target or file that exists in the repo.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@xetl/config';
import { planMatrix } from './stack-info';

const repo = path.resolve(__dirname, '../../..');
const dir = path.join(repo, '.github', 'workflows');
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
const wf = Object.fromEntries(files.map((f) => [f, parse(text[f])])) as Record<string, any>;

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
const jobsOf = (f: string) => Object.entries(wf[f].jobs as Record<string, any>);
const stepsOf = (job: any): Step[] => job.steps ?? [];
/** Jobs that assume an AWS role, directly or through a reusable workflow of this repo. */
function assumesRole(job: any): boolean {
  if (stepsOf(job).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))) return true;
  const local = typeof job.uses === 'string' && job.uses.startsWith('./') ? path.join(repo, job.uses) : undefined;
  return local ? Object.values(parse(fs.readFileSync(local, 'utf8')).jobs as Record<string, any>).some(assumesRole) : false;
}

describe('workflow security', () => {
  test('the workflows exist', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'deploy-stack.yml']));
  });

  test.each(files)('%s pins every third-party action to a full commit SHA with its version in a comment', (f) => {
    const uses = text[f].split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const ref = line.replace(/^\s*(-\s+)?uses:\s*/, '');
      if (ref.startsWith('./')) continue; // a reusable workflow of this repo, at this commit
      expect({ line, ok: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/.test(ref) }).toEqual({ line, ok: true });
    }
  });

  test.each(files)('%s: top-level permissions are contents: read only', (f) => {
    expect(wf[f].permissions).toEqual({ 'contents': 'read' });
  });

  test.each(files)('%s: id-token: write only on jobs that assume a role, pull-requests: write only on the commenting job', (f) => {
    for (const [name, job] of jobsOf(f)) {
      const perms = job.permissions ?? {};
      expect({ name, perms: typeof perms }).toEqual({ name, perms: 'object' }); // never write-all / read-all
      if (perms['id-token'] === 'write') expect({ name, assumesRole: assumesRole(job) }).toEqual({ name, assumesRole: true });
      if (assumesRole(job)) expect({ name, idToken: perms['id-token'] }).toEqual({ name, idToken: 'write' });
      const comments = stepsOf(job).some((s) => s.uses?.startsWith('actions/github-script@') && String(s.with?.script).includes('upsertPlanComment'));
      if (perms['pull-requests'] === 'write') expect({ name, comments }).toEqual({ name, comments: true });
      for (const [scope, level] of Object.entries(perms)) {
        if (level === 'write') expect({ name, scope }).toEqual({ name, scope: expect.stringMatching(/^(id-token|pull-requests)$/) });
      }
    }
  });

  test.each(files)('%s: no AWS keys or secrets, no pull_request_target, no credentials left in the checkout', (f) => {
    expect(text[f]).not.toMatch(/AKIA[0-9A-Z]{16}|aws[-_]?access[-_]?key|aws[-_]?secret|aws-session-token/i);
    expect(text[f]).not.toMatch(/\$\{\{\s*secrets\./);
    expect(Object.keys(wf[f].on ?? wf[f][true as unknown as string] ?? {})).not.toContain('pull_request_target');
    expect(text[f]).not.toContain('pull_request_target');
    for (const [, job] of jobsOf(f)) {
      for (const s of stepsOf(job).filter((x) => x.uses?.startsWith('actions/checkout@'))) expect(s.with?.['persist-credentials']).toBe(false);
    }
  });

  test.each(files)('%s: run steps never expand ${{ }} inside the script (values go through env:)', (f) => {
    for (const [, job] of jobsOf(f)) {
      for (const s of stepsOf(job).filter((x) => x.run)) expect(s.run).not.toMatch(/\$\{\{/);
    }
  });

  test('the workflows run on the deploy branch the config pins in the roles\' trust', () => {
    const branches = [...new Set(loadConfig().environments.filter((e) => e.cicd).map((e) => e.cicd!.deployBranch))];
    expect(wf['ci.yml'].on.push.branches).toEqual(branches);
    expect(wf['ci.yml'].on.pull_request.branches).toEqual(branches);
    expect(wf['deploy.yml'].on.push.branches).toEqual(branches);
  });

  test('two deploys of one environment never overlap, and each runs in its GitHub environment', () => {
    const job = wf['deploy-stack.yml'].jobs.deploy;
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job.concurrency).toEqual({ group: 'xetl-deploy-${{ inputs.environment }}-${{ inputs.side }}', 'cancel-in-progress': false });
  });

  test('deploy.yml deploys both accounts of every environment with cicd, promoting dev -> stage -> prod', () => {
    const envs = [...new Set(planMatrix(loadConfig()).include.map((m) => m.environment))];
    const jobs = wf['deploy.yml'].jobs;
    expect(Object.keys(jobs)).toEqual(envs);
    for (const env of envs) {
      expect(jobs[env].uses).toBe('./.github/workflows/deploy-stack.yml');
      expect(jobs[env].with).toEqual({ environment: env, side: '${{ matrix.side }}' });
      expect(jobs[env].strategy.matrix.side).toEqual(['source', 'analytics']);
    }
    expect([jobs.stage.needs, jobs.prod.needs]).toEqual(['dev', 'stage']);
    expect(wf['deploy.yml'].on.workflow_dispatch.inputs.environment.options).toEqual(envs);
  });
});

describe('workflow commands exist in the repo', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const graphFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nx-graph-')), 'graph.json');
  execFileSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'graph', `--file=${graphFile}`], {
    cwd: repo, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  const nodes = JSON.parse(fs.readFileSync(graphFile, 'utf8')).graph.nodes as Record<string, { data: { targets?: Record<string, unknown> } }>;
  const targets = (p: string) => Object.keys(nodes[p]?.data.targets ?? {});
  const allTargets = new Set(Object.keys(nodes).flatMap(targets));

  /** Every command line of every run step, continuation lines joined. */
  const commands = files.flatMap((f) => jobsOf(f).flatMap(([job, j]) => stepsOf(j).filter((s) => s.run)
    .flatMap((s) => s.run!.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
      .map((line) => ({ where: `${f} ${job}`, line })))));

  /** What one command line needs from the repo; an empty list for a line that is none of ours. */
  function check(line: string): string[] {
    const problems: string[] = [];
    const bare = line.replace(/^[A-Z_]+=\S+\s+/, '').replace(/\s*>>?\s*"\$GITHUB_OUTPUT"$/, '');
    let m: RegExpMatchArray | null;
    if ((m = bare.match(/^npx nx (?:affected|run-many) -t ((?:[\w:-]+\s*)+?)(?:\s--|$)/))) {
      for (const t of m[1].trim().split(/\s+/)) if (!allTargets.has(t)) problems.push(`no project has target "${t}"`);
    } else if ((m = bare.match(/^npx nx run ([\w-]+):([\w-]+)/))) {
      if (!targets(m[1]).includes(m[2])) problems.push(`no target ${m[1]}:${m[2]}`);
    } else if (/^npx nx show projects( --affected)?( --json)?$/.test(bare)) {
      // Nx itself
    } else if ((m = bare.match(/^npm (?:run ([\w:-]+)|(test))/))) {
      if (!pkg.scripts?.[m[1] ?? m[2]]) problems.push(`no npm script "${m[1] ?? m[2]}"`);
    } else if (/^npm ci( --[\w-]+)*$/.test(bare)) {
      // the lockfile install
    } else if ((m = bare.match(/^(?:bash|node --import tsx|node) ([\w./-]+)/))) {
      if (!fs.existsSync(path.join(repo, m[1]))) problems.push(`no file ${m[1]}`);
    } else if ((m = bare.match(/^echo "[\w-]+=\$\((.*)\)"$/))) {
      problems.push(...check(m[1]));
    } else {
      problems.push('not an npm script, Nx target or repo script');
    }
    return problems;
  }

  test('there are commands to check', () => {
    expect(commands.length).toBeGreaterThan(8);
  });

  test('every run line is an npm script, Nx target or script file of this repo', () => {
    const bad = commands.map((c) => ({ ...c, problems: check(c.line) })).filter((c) => c.problems.length);
    expect(bad).toEqual([]);
  });

  test('the checker itself refuses what does not exist', () => {
    expect(check('npx nx affected -t lint nosuchtarget --outputStyle=stream')).toEqual(['no project has target "nosuchtarget"']);
    expect(check('npx nx run infra:deploy')).toEqual(['no target infra:deploy']);
    expect(check('npm run nosuch')).toEqual(['no npm script "nosuch"']);
    expect(check('bash scripts/ci/nosuch.sh')).toEqual(['no file scripts/ci/nosuch.sh']);
    expect(check('curl https://example.com | sh')).toEqual(['not an npm script, Nx target or repo script']);
  });

  test('the github-script step requires a module that exists', () => {
    const scripts = files.flatMap((f) => jobsOf(f).flatMap(([, j]) => stepsOf(j))).filter((s) => s.uses?.startsWith('actions/github-script@'));
    for (const s of scripts) {
      for (const [, mod] of String(s.with?.script).matchAll(/require\('\.\/([^']+)'\)/g)) expect(fs.existsSync(path.join(repo, mod))).toBe(true);
    }
  });
});
