// Sign in with VNeID, when configured (VNEID_ISSUER, or the simulator in the embedded default): the upstream client
// and the links between its citizens and our accounts. The composition root builds it; flows receive it.
import type { FederatedIdentities } from '../../accounts/federated-identities.js';
import type { VneidUpstream } from '../../methods/vneid/upstream-client.js';

export interface Federation {
  upstream: VneidUpstream;
  identities: FederatedIdentities;
}
