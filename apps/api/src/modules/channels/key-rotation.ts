import { ConfigError } from '../../config';
import { decryptSecrets, encryptSecrets } from './channel-secrets';
import type { KeyRotationRepository, SealedValue } from './key-rotation.repository';

export interface RotationReport {
  /** Re-encrypted values per table. */
  counts: Record<SealedValue['table'], number>;
}

/**
 * Re-encrypts every secret sealed with `oldKey` under `newKey`, in one transaction (tables
 * locked against writers meanwhile): all of them or, if one cannot be opened with the old key,
 * none, with the reason. Run it, then restart every instance with the new key.
 */
export async function rotateEncryptionKey(repo: KeyRotationRepository, oldKey: Buffer, newKey: Buffer): Promise<RotationReport> {
  if (oldKey.equals(newKey)) throw new ConfigError("la nouvelle clé est identique à l'ancienne");
  return repo.tx(async (m) => {
    await repo.lockAll(m);
    const counts: RotationReport['counts'] = { channel: 0, oidc_provider: 0, organization: 0, agent_session: 0 };
    for (const v of await repo.sealedValues(m)) {
      let plain: Record<string, unknown>;
      try {
        plain = decryptSecrets(oldKey, v.aad, v.sealed);
      } catch {
        throw new ConfigError(
          `un secret (${v.table}) ne s'ouvre pas avec la clé actuelle : ENCRYPTION_KEY n'est pas celle qui l'a chiffré ; rien n'a été modifié`,
        );
      }
      await repo.reseal(m, v, encryptSecrets(newKey, v.aad, plain));
      counts[v.table]++;
    }
    return { counts };
  });
}
