import { parkCommandFor } from './park';

export const unparkCommand = parkCommandFor('unpark');
