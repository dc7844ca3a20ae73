/**
 * Input formats that more than one service checks, so every service accepts exactly the same
 * values (moved here unchanged from services/network/src/rules/validate.ts).
 */

/** A mainland mobile (optionally +86) or a landline with area code. */
export const PHONE_PATTERN = /^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

/** Chinese administrative division codes (GB/T 2260): six digits, province first. */
export const REGION_PATTERN = /^[1-9]\d{5}$/;
