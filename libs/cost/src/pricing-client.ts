import { GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import type { GetProducts } from './refresh';

/**
 * GetProducts through the SDK; the Price List API answers in us-east-1 (also ap-south-1 and
 * eu-central-1). Kept out of the library's index so `xetl cost` never loads the Pricing client.
 */
export function sdkGetProducts(client: PricingClient): GetProducts {
  return (input) => client.send(new GetProductsCommand({ ...input, Filters: [...input.Filters] }));
}
