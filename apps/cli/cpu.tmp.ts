import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMotoServer } from '@xetl/testing';
function cpuOfPort(port: number): () => number { const pid = fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && (() => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(`-p ${port}`); } catch { return false; } })()); return () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; }; }
import { createContext, drop } from '@xetl/ops';
const me = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
async function main() {
  const moto = await startMotoServer('123456789012');
  process.env.AWS_ACCESS_KEY_ID = 'test'; process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'xetl-local-source-123456789012-us-east-1' }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-'));
  for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(dir, `p${i}.csv`), 'product_id,product_name,category,price,quantity,updated_at\n' + `P-${i},N,c,1.0,1,2026-11-21T08:00:00Z\n`.repeat(4));
  const files = fs.readdirSync(dir);
  const mc = cpuOfPort(moto.port);
  let c = me(), t = Date.now();
  for (const f of files) await s3.send(new PutObjectCommand({ Bucket: 'xetl-local-source-123456789012-us-east-1', Key: 'floor/' + f, Body: fs.readFileSync(path.join(dir, f)) }));
  console.log('loop cpu', (me() - c).toFixed(2), 'wall', (Date.now() - t) / 1000);
  const ctx = createContext({ envName: 'local', endpointUrl: moto.endpoint });
  for (const [i, conc] of [2, 4, 8, 10, 16, 4, 10].entries()) {
    c = me(); t = Date.now(); const m0 = mc();
    let events = 0;
    await drop(ctx, { paths: [dir], date: `2026-10-${String(i + 1).padStart(2, '0')}`, concurrency: conc, onProgress: () => events++ });
    console.log('drop', conc, 'cpu', (me() - c).toFixed(2), 'wall', (Date.now() - t) / 1000, 'events', events, 'moto cpu', (mc() - m0).toFixed(2));
  }
  await moto.stop();
}
main();
