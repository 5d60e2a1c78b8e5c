/** Which prepared version of a data set a sweep uses. */
import type { DatasetRef } from '../dataset.ts';
import { assertId } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import { getJson } from './json.ts';

interface ManifestHead {
  version: string;
  created_at?: string;
}

/**
 * The requested version if it is prepared; otherwise, with no version asked for, the newest prepared one
 * (by the manifest's `created_at`, then by key). `undefined` when nothing is prepared.
 */
export async function resolveDatasetVersion(
  store: BlobStore,
  ds: { name: string; version?: string },
): Promise<string | undefined> {
  const prefix = `datasets/${assertId('dataset', ds.name)}/`;
  const manifests = (await store.list(prefix)).filter((k) => k.endsWith('/manifest.json'));
  if (ds.version) return manifests.includes(`${prefix}${ds.version}/manifest.json`) ? ds.version : undefined;
  let best: { version: string; created: string } | undefined;
  for (const key of manifests) {
    const m = await getJson<ManifestHead>(store, key);
    const version = key.slice(prefix.length, -'/manifest.json'.length);
    const created = m?.created_at ?? '';
    if (!best || created > best.created || (created === best.created && version > best.version))
      best = { version, created };
  }
  return best?.version;
}

export async function resolveDatasetRef(
  store: BlobStore,
  ds: { name: string; version?: string },
): Promise<DatasetRef> {
  const version = await resolveDatasetVersion(store, ds);
  if (!version) throw new Error(`data set "${ds.name}" is not prepared in the store`);
  return { name: ds.name, version };
}
