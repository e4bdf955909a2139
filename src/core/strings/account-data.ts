// Strings of the account page's data section (src/flows/account/data.ts, views/account/data.ts).
import { defineStrings } from './define.js';

export const accountDataStrings = defineStrings({}, {});
