// The claim mapping is configuration: real VNeID integrations name the identification number, name, birth date and
// level differently, and format birth dates as YYYYMMDD or ISO.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { mapIdentity, parseBirthdate, parseNationalId } from '../../src/methods/vneid/identity-mapping.js';

const mapping = (env: Record<string, string> = {}) =>
  loadConfig({
    NODE_ENV: 'test',
    VNEID_ISSUER: 'https://vneid.example',
    VNEID_CLIENT_ID: 'bhxh-id',
    VNEID_CLIENT_SECRET: 's3cret',
    ...env,
  }).vneid!;

describe('VNeID identity mapping', () => {
  it('reads the default names (citizenPid, fullName, birthdate, identificationLevel)', () => {
    const out = mapIdentity(
      {
        sub: 'abc',
        citizenPid: '001090012345',
        fullName: ' Nguyễn Văn An ',
        birthdate: '1990-05-15',
        identificationLevel: 2,
      },
      mapping(),
    );
    assert.deepEqual(out, {
      ok: true,
      identity: {
        subject: 'abc',
        nationalId: '001090012345',
        level: 2,
        fullName: 'Nguyễn Văn An',
        birthdate: '1990-05-15',
      },
    });
  });

  it('reads configured names, including a dotted path, and YYYYMMDD birth dates', () => {
    const m = mapping({
      VNEID_CLAIM_NATIONAL_ID: 'person.SoDinhDanh',
      VNEID_CLAIM_NAME: 'HoVaTen',
      VNEID_CLAIM_BIRTHDATE: 'NgaySinh',
      VNEID_CLAIM_LEVEL: 'MucDoDinhDanh',
      VNEID_CLAIM_SUBJECT: 'id',
    });
    const out = mapIdentity(
      {
        id: 'u-1',
        person: { SoDinhDanh: '079185054321' },
        HoVaTen: 'Trần Thị Bình',
        NgaySinh: '19851102',
        MucDoDinhDanh: '1',
      },
      m,
    );
    assert.deepEqual(out, {
      ok: true,
      identity: {
        subject: 'u-1',
        nationalId: '079185054321',
        level: 1,
        fullName: 'Trần Thị Bình',
        birthdate: '1985-11-02',
      },
    });
  });

  it('maps level values by configuration (for example an acr from the upstream)', () => {
    const m = mapping({
      VNEID_CLAIM_LEVEL: 'acr',
      VNEID_LEVEL1_VALUES: 'urn:vneid:loa:1',
      VNEID_LEVEL2_VALUES: 'urn:vneid:loa:2,urn:vneid:loa:3',
    });
    const base = { sub: 's', citizenPid: '001090012345' };
    assert.equal(
      (mapIdentity({ ...base, acr: 'urn:vneid:loa:3' }, m) as { identity: { level: number } }).identity.level,
      2,
    );
    assert.equal(
      (mapIdentity({ ...base, acr: 'urn:vneid:loa:1' }, m) as { identity: { level: number } }).identity.level,
      1,
    );
    assert.deepEqual(mapIdentity({ ...base, acr: 'urn:other' }, m), { ok: false, missing: 'level' });
  });

  it('refuses an identity without subject, a 12-digit number or a known level', () => {
    assert.deepEqual(mapIdentity({ citizenPid: '001090012345', identificationLevel: 2 }, mapping()), {
      ok: false,
      missing: 'subject',
    });
    assert.deepEqual(mapIdentity({ sub: 's', citizenPid: '12345', identificationLevel: 2 }, mapping()), {
      ok: false,
      missing: 'national_id',
    });
    assert.deepEqual(
      mapIdentity({ sub: 's', email: 'a@b.vn', phone_number: '+84912345678', identificationLevel: 2 }, mapping()),
      { ok: false, missing: 'national_id' },
    );
    assert.deepEqual(mapIdentity({ sub: 's', citizenPid: '001090012345' }, mapping()), { ok: false, missing: 'level' });
  });

  it('puts back the leading zeros a number-typed claim lost, and accepts separators', () => {
    assert.equal(parseNationalId(1090012345), '001090012345');
    assert.equal(parseNationalId('001 090 012 345'), '001090012345');
    assert.equal(parseNationalId('0010900123456'), undefined);
    assert.equal(parseNationalId({}), undefined);
  });

  it('normalises birth dates and refuses impossible ones', () => {
    assert.equal(parseBirthdate('19900515'), '1990-05-15');
    assert.equal(parseBirthdate('1990-05-15'), '1990-05-15');
    assert.equal(parseBirthdate('1990-05-15T00:00:00+07:00'), '1990-05-15');
    assert.equal(parseBirthdate('15/05/1990'), '1990-05-15');
    assert.equal(parseBirthdate('19900231'), undefined);
    assert.equal(parseBirthdate('May 15 1990'), undefined);
    // A birth date that does not parse is left out; the sign-in does not depend on it.
    const out = mapIdentity(
      { sub: 's', citizenPid: '001090012345', identificationLevel: '2', birthdate: 'garbage' },
      mapping(),
    );
    assert.equal(out.ok && out.identity.birthdate, undefined);
  });
});
