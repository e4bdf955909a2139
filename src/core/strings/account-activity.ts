// Strings of the account page's activity section (src/flows/account/activity.ts, views/account/activity.ts).
import { defineStrings } from './define.js';

export const accountActivityStrings = defineStrings({}, {});
