// Levels of assurance: a demand (essential acr claim or acr_values) is a minimum.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACR, meets, requiredAcr } from '../../src/oidc/assurance.js';

describe('levels of assurance', () => {
  it('reads a demand from acr_values and from an essential acr claim, taking the lowest value asked', () => {
    assert.equal(requiredAcr({}), undefined);
    assert.equal(requiredAcr({ acr_values: ACR.vneid2 }), ACR.vneid2);
    assert.equal(requiredAcr({ acr_values: `${ACR.vneid2} ${ACR.vneid1}` }), ACR.vneid1);
    assert.equal(requiredAcr({ acr_values: 'urn:unknown' }), undefined);
    assert.equal(
      requiredAcr({ claims: JSON.stringify({ id_token: { acr: { essential: true, value: ACR.vneid2 } } }) }),
      ACR.vneid2,
    );
    assert.equal(
      requiredAcr({ claims: { id_token: { acr: { essential: true, values: [ACR.vneid1, ACR.vneid2] } } } }),
      ACR.vneid1,
    );
    assert.equal(
      requiredAcr({ claims: JSON.stringify({ id_token: { acr: { value: ACR.vneid2 } } }) }),
      undefined,
      'a voluntary claim demands nothing',
    );
    assert.equal(requiredAcr({ claims: '{not json' }), undefined);
  });

  it('ranks password < VNeID level 1 < VNeID level 2', () => {
    assert.ok(meets(ACR.password, undefined));
    assert.ok(meets(ACR.password, ACR.password));
    assert.ok(!meets(ACR.password, ACR.vneid1));
    assert.ok(meets(ACR.vneid2, ACR.vneid1));
    assert.ok(!meets(ACR.vneid1, ACR.vneid2));
    assert.ok(!meets(undefined, ACR.password));
  });

  it('ranks password < password + second factor < passkey < VNeID level 1 < VNeID level 2', () => {
    const ladder = [ACR.password, ACR.mfa, ACR.passkey, ACR.vneid1, ACR.vneid2];
    for (const [i, lower] of ladder.entries()) {
      for (const higher of ladder.slice(i)) assert.ok(meets(higher, lower), `${higher} meets ${lower}`);
      for (const higher of ladder.slice(i + 1)) assert.ok(!meets(lower, higher), `${lower} does not meet ${higher}`);
    }
    assert.equal(requiredAcr({ acr_values: `${ACR.passkey} ${ACR.mfa}` }), ACR.mfa);
  });
});
