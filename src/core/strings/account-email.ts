// Strings of the account page's email section (src/flows/account/email.ts, views/account/email.ts).
import { defineStrings } from './define.js';

export const accountEmailStrings = defineStrings({}, {});
