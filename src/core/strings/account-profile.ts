// Strings of the account page's profile section (src/flows/account/profile.ts, views/account/profile.ts).
import { defineStrings } from './define.js';

export const accountProfileStrings = defineStrings({}, {});
