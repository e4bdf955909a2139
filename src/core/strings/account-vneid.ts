// Strings of the account page's vneid section (src/flows/account/vneid.ts, views/account/vneid.ts).
import { defineStrings } from './define.js';

export const accountVneidStrings = defineStrings({}, {});
