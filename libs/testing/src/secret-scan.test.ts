import { repoFiles, scanFiles, scanText } from './secret-scan';

describe('secret scanner', () => {
  // Fakes are assembled at run time so this file itself holds no credential-looking literal.
  const fakeKeyId = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');
  const fakePassword = ['password = "', 'hunter2hunter2', '"'].join('');

  test.each([
    [`access_key = "${fakeKeyId}"`, 'AWS access key id'],
    [fakePassword, 'literal password'],
    [`"master_password": "${'S3cretValue!'}"`, 'literal password'],
    [['-----BEGIN RSA ', 'PRIVATE KEY-----'].join(''), 'private key'],
    [`postgresql://admin:${'longsecret'}@db.example.com/dev`, 'credentials in a URL'],
  ])('finds %s', (line, kind) => {
    expect(scanText(line, 'f')).toEqual([{ file: 'f', line: 1, kind }]);
  });

  test.each([
    ['secret_arn = "arn:aws:secretsmanager:eu-west-1:1:secret:x"'],
    ['password: "${var.password}"'],
    ['AWS_SECRET_ACCESS_KEY: "test"'],
    ['"manage_admin_password": true'],
    ['postgresql://postgres@127.0.0.1:5432/xetl'],
  ])('leaves references and placeholders alone: %s', (line) => {
    expect(scanText(line, 'f')).toEqual([]);
  });

  test('the repository holds no credential-looking value', () => {
    expect(scanFiles(repoFiles())).toEqual([]);
  });
});
