// Strings of the account page's sessions section (src/flows/account/sessions.ts, views/account/sessions.ts).
import { defineStrings } from './define.js';

export const accountSessionsStrings = defineStrings({}, {});
