import { unzipSync } from 'fflate';

/**
 * function.proto `Version.image_size`: "Final size of the deployment package after unpacking".
 * The emulator unpacks the zip and counts what comes out, as the platform has to; undefined for
 * content that is no zip, which the platform could not unpack either.
 */
export function unpackedSize(content: Uint8Array): number | undefined {
  try {
    return Object.values(unzipSync(content)).reduce((sum, file) => sum + file.length, 0);
  } catch {
    return undefined;
  }
}
