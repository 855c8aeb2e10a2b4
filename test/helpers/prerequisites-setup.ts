// Runs once before all test files: finds which prerequisites of the machine
// are missing (interpreters, mosquitto, socat, chromium) and hands the list to
// the test files, for test/helpers/requires.ts.
import type { TestProject } from 'vitest/node';
import { findMissing } from './prerequisites.ts';

export default function setup(project: TestProject): void {
  project.provide('missingPrerequisites', findMissing());
}
