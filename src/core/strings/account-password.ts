// Strings of the account page's password section (src/flows/account/password.ts, views/account/password.ts).
import { defineStrings } from './define.js';

export const accountPasswordStrings = defineStrings({}, {});
