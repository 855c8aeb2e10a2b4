import { DEFAULTS } from '../../protocol/catalogue.ts';
/** How a contract account number must look before the directory is asked. */
export interface AccountRule {
  digits: number;
  check: 'luhn' | 'none';
}

export const DEFAULT_ACCOUNT_RULE: AccountRule = { digits: DEFAULTS.accountDigits, check: 'none' };

/** Mod-10 (Luhn) over all digits, the last being the check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Why an account number is not valid under the rule, or '' when it is. */
export function accountProblem(account: string, rule: AccountRule): string {
  if (!/^[0-9]*$/.test(account)) return 'must be digits only';
  if (account.length !== rule.digits) return `must have ${rule.digits} digits, has ${account.length}`;
  if (rule.check === 'luhn' && !luhnValid(account)) return 'check digit is wrong';
  return '';
}
