// Keeps ONE comment with the plans and cost estimates on a pull request: found by a marker,
// updated in place.
// Runs inside actions/github-script (CommonJS, the `github` Octokit and `context` it provides).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MARKER = '<!-- xetl-plan-summary -->';
/** GitHub refuses comment bodies over 65,536 characters. */
const MAX_BODY = 65000;

/**
 * The comment body: every stack's plan summary (sorted by file name), the commit and the run, then
 * the cost of each changed environment (tools/ci/src/cost-summary.ts), when there is any.
 */
function renderComment(summaries, { sha, runUrl }, costs = []) {
  const parts = [MARKER, '## Terraform plans', '', `For ${sha ? `\`${sha.slice(0, 12)}\`` : 'this commit'}${runUrl ? ` ([run](${runUrl}))` : ''}. Plans run with each account's read-only plan role.`, ''];
  if (summaries.length === 0) parts.push('No plan summaries were produced; see the run.');
  for (const s of summaries) parts.push(s.body.trim(), '');
  if (costs.length) {
    parts.push('## Cost', '', 'Estimated by `xetl cost` from the synthesized stacks of this pull request and of the base branch, with the checked-in price snapshot; assumptions and method in `docs/cost.md`.', '');
    for (const c of costs) parts.push(c.body.trim(), '');
  }
  let body = parts.join('\n');
  if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY)}\n\n… cut to fit GitHub's comment limit; the job summaries have everything.\n`;
  return body;
}

function readSummaries(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort()
    .map((f) => ({ name: f.replace(/\.md$/, ''), body: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

async function upsertPlanComment({ github, context, core, dir, costDir }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const meta = { sha: context.payload.pull_request?.head?.sha ?? context.sha, runUrl };
  const body = renderComment(readSummaries(dir), meta, costDir ? readSummaries(costDir) : []);
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const existing = comments.find((c) => c.user?.type === 'Bot' && typeof c.body === 'string' && c.body.includes(MARKER));
  if (existing) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    core?.info?.(`updated plan comment ${existing.id}`);
    return { action: 'updated', id: existing.id };
  }
  const created = await github.rest.issues.createComment({ owner, repo, issue_number, body });
  core?.info?.(`created plan comment ${created.data.id}`);
  return { action: 'created', id: created.data.id };
}

module.exports = { MARKER, renderComment, readSummaries, upsertPlanComment };
