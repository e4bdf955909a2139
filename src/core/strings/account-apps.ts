// Strings of the account page's apps section (src/flows/account/apps.ts, views/account/apps.ts).
import { defineStrings } from './define.js';

export const accountAppsStrings = defineStrings({}, {});
