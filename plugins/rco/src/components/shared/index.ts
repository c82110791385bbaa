export { ClockProvider, usePortalNow } from './clock';
export { Person, personRef, usePersonName } from './Person';
export { RichText } from './RichText';
export { When, localTime, relativeTo } from './When';
export { capitalised, countOf, plural } from './words';
export { Refusal, refusalOf } from './Refusal';
export { HumanOnly } from './HumanOnly';
