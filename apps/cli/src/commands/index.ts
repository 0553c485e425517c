/**
 * Every `xetl` command, in the order `xetl --help` lists them. A new command is one module in
 * this folder plus one line here.
 */
import type { Command } from '../command';
import { bootstrapCommand } from './bootstrap';
import { doctorCommand } from './doctor';
import { dropCommand } from './drop';
import { redriveCommand } from './redrive';
import { statusCommand } from './status';
import { triggerCommand } from './trigger';

export const COMMANDS: Readonly<Record<string, Command>> = {
  drop: dropCommand,
  bootstrap: bootstrapCommand,
  trigger: triggerCommand,
  status: statusCommand,
  redrive: redriveCommand,
  doctor: doctorCommand,
};
