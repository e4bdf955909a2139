// One webhook of a hotline call, as the telephony platform sends it: signed JSON at the current (test) clock's time.
import assert from 'node:assert/strict';
import type { VoiceReply, VoiceRequest } from '../../src/channels/voice-password-reset.js';
import { VOICE_PASSWORD_RESET_PATH } from '../../src/channels/voice-routes.js';
import type { Clock } from '../../src/core/clock.js';
import { postSignedJson } from '../../src/core/webhook-signature.js';

/** Posts `request` to the hotline webhook of the server at `baseUrl()`; fails the test unless it answers 200. */
export function voiceStepper(baseUrl: () => string, secret: string, clock: Clock) {
  return async function step(request: VoiceRequest): Promise<VoiceReply> {
    const { status, body } = await postSignedJson(
      `${baseUrl()}${VOICE_PASSWORD_RESET_PATH}`,
      secret,
      request,
      Math.floor(clock.now().getTime() / 1000),
    );
    assert.equal(status, 200, JSON.stringify(body));
    return body as VoiceReply;
  };
}
