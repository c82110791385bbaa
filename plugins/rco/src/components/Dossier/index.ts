export { DossierActions } from './DossierActions';
