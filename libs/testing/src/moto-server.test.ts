import { startMotoServer } from './moto-server';

// A real moto_server from the project's tools venv; proves the fixture starts, answers as the
// requested account, and stops.
describe('moto server fixture', () => {
  jest.setTimeout(240_000);

  test('starts on loopback as the requested account and stops', async () => {
    const moto = await startMotoServer('111111111111');
    try {
      expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${moto.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`, {
        headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x' },
      });
      expect(await res.text()).toContain('<Account>111111111111</Account>');
    } finally {
      await moto.stop();
    }
    await expect(fetch(`${moto.endpoint}/moto-api/`)).rejects.toThrow();
  });
});
