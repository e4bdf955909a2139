// Strings of the account page's phone section (src/flows/account/phone.ts, views/account/phone.ts).
import { defineStrings } from './define.js';

export const accountPhoneStrings = defineStrings({}, {});
