/** The key pair presigned URLs are signed with: the id travels in the URL, the secret never does. */
export interface BucketCredentials {
  accessKeyId: string;
  secret: string;
}
