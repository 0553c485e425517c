export interface DataKeyProps {
  /** Alias including the `alias/` prefix, from `Naming`, so other accounts can refer to it. */
  readonly alias: string;
  /** What the key protects, shown in the KMS console. */
  readonly description: string;
  /** Account that owns the key; its IAM policies may manage and use it. */
  readonly accountId: string;
  /** AWS partition. @default "aws" */
  readonly partition?: string;
  /**
   * Days KMS waits before deleting the key after `terraform destroy`.
   * @default 30 — the maximum, so an accidental destroy can be undone.
   */
  readonly deletionWindowDays?: number;
}
