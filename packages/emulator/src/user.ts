import { createHash } from 'node:crypto';

export interface Role {
  readonly id: number;
  readonly name: string;
}

/** A login user with the roles it may choose on the consent screen. */
export interface User {
  readonly entityId: number;
  readonly email: string;
  readonly passwordHash: string;
  readonly name: string;
  readonly roles: Role[];
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(`netsuite-emulator:${password}`).digest('hex');
}
