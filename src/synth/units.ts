/** Byte units, so sizes read the way Kubernetes quantities do. */
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const TiB = 2 ** 40;
