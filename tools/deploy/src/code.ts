import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';

/** The zip to upload, as deploy knows it. */
export interface Code {
  /** What a saved plan holds it to: the zip itself, byte for byte. */
  readonly sha256: string;
  /**
   * What the cloud can be asked about it. function.proto `Version` keeps no hash of the code, only
   * `image_size`, "final size of the deployment package after unpacking" (`Package.sha256` is in
   * the request alone, and the version's description is anyone's to write). So deploy judges the
   * deployed code by this size: code of another size is new code, but code of the same size and
   * other content is taken for the same, and is replaced only when some setting changes too, or
   * when the code's size does.
   */
  readonly unpackedBytes: number;
}

/** The sum of the files' sizes in the zip, read from its directory without inflating anything. */
function unpackedBytes(zip: Uint8Array): number {
  let total = 0;
  unzipSync(zip, {
    filter: (file) => {
      total += file.originalSize;
      return false;
    },
  });
  return total;
}

export function codeOf(zip: Buffer): Code {
  return {
    sha256: createHash('sha256').update(zip).digest('hex'),
    unpackedBytes: unpackedBytes(zip),
  };
}
