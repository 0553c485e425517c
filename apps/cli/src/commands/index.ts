/**
 * Every `xetl` command, in the order `xetl --help` lists them. A new command is one module in
 * this folder plus one line here.
 */
import type { Command } from '../command';
import { bootstrapCommand } from './bootstrap';
import { costCommand } from './cost';
import { docsCommand } from './docs';
import { doctorCommand } from './doctor';
import { dropCommand } from './drop';
import { logsCommand } from './logs';
import { parkCommand } from './park';
import { redriveCommand } from './redrive';
import { runsCommand } from './runs';
import { statusCommand } from './status';
import { triggerCommand } from './trigger';
import { unparkCommand } from './unpark';

export const COMMANDS: Readonly<Record<string, Command>> = {
  drop: dropCommand,
  bootstrap: bootstrapCommand,
  trigger: triggerCommand,
  status: statusCommand,
  runs: runsCommand,
  logs: logsCommand,
  redrive: redriveCommand,
  doctor: doctorCommand,
  cost: costCommand,
  docs: docsCommand,
  park: parkCommand,
  unpark: unparkCommand,
};
