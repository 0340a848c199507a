import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, GROUPS, type OptionSpec } from '../commands.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';

/** Shells `completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The command names completion is registered for: the linked bin, and `nso` for an alias of `pnpm nso`. */
const NAMES = ['netsuite-oauth', 'nso'];

function optionWords(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

function commandOptions(spec: CommandSpec): string[] {
  const words = [...optionWords(GLOBAL_OPTIONS), ...optionWords(spec.options)];
  if (spec.formats?.includes('csv')) words.push('--csv');
  return [...new Set(words)].sort();
}

function topWords(): string[] {
  return [...new Set([...COMMANDS.map((c) => c.name.split(' ')[0] ?? ''), 'help'])].sort();
}

function subWords(group: string): string[] {
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.split(' ')[1] ?? '');
}

function valued(): string[] {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(all, c.options);
  return optionWords(
    Object.fromEntries(Object.entries(all).filter(([, o]) => o.type === 'string')) as Record<
      string,
      OptionSpec
    >,
  ).sort();
}

/**
 * The bash completion script (also what zsh loads through `bashcompinit`): commands, subcommands, each
 * command's options, and files for an option's value or an argument.
 *
 * @example
 * eval "$(pnpm nso completion bash)"
 */
export function bashScript(): string {
  const cases = COMMANDS.filter((c) => !c.passThrough)
    .map((c) => `    '${c.name}') opts='${commandOptions(c).join(' ')}' ;;`)
    .join('\n');
  const groups = GROUPS.map((g) => `    ${g}) words='${subWords(g).join(' ')}' ;;`).join('\n');
  return `# netsuite-oauth completion for bash (and zsh through bashcompinit).
# Load it with: eval "$(pnpm nso completion bash)"; it completes \`netsuite-oauth\` and an alias \`nso\`.
_netsuite_oauth_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local valued=' ${valued().join(' ')} '
  local path='' word skip='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ -n $skip ]]; then skip=''; continue; fi
    case $word in
      --*=*) continue ;;
      -*) [[ $valued == *" $word "* ]] && skip=1; continue ;;
    esac
    if [[ -z $path ]]; then path=$word
    elif [[ $path != *' '* && ' ${GROUPS.join(' ')} ' == *" $path "* ]]; then path="$path $word"
    else break
    fi
  done
  COMPREPLY=()
  if [[ $cur != -* && $COMP_CWORD -gt 1 && $valued == *" $prev "* ]]; then
    case $prev in
      --store) COMPREPLY=($(compgen -W 'memory file redis' -- "$cur")) ;;
      --auth) COMPREPLY=($(compgen -W 'm2m session' -- "$cur")) ;;
      *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
  fi
  local opts='' words=''
  case $path in
${cases}
  esac
  if [[ $cur == -* ]]; then
    [[ -z $opts ]] && opts='--help --version'
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  case $path in
    '') words='${topWords().join(' ')}' ;;
${groups}
    completion) words='${SHELLS.join(' ')}' ;;
    help) words='${topWords().join(' ')}' ;;
  esac
  if [[ -n $words ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -o default -F _netsuite_oauth_complete ${NAMES.join(' ')}
`;
}

function zshScript(): string {
  return `#compdef ${NAMES.join(' ')}
# netsuite-oauth completion for zsh: the bash script through zsh's bashcompinit.
# Load it with: eval "$(pnpm nso completion zsh)" (after compinit).
autoload -U +X bashcompinit && bashcompinit
${bashScript()}`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(): string {
  const lines = [
    '# netsuite-oauth completion for fish.',
    '# Load it with: pnpm nso completion fish | source',
  ];
  const subs = GROUPS.flatMap(subWords);
  for (const name of NAMES) {
    const c = `complete -c ${name}`;
    lines.push(`${c} -f`);
    for (const word of topWords()) {
      const spec = COMMANDS.find((s) => s.name === word);
      const summary = spec?.summary ?? (GROUPS.includes(word) ? `${word} commands` : 'show help');
      lines.push(`${c} -n __fish_use_subcommand -a ${word} -d ${fishQuote(summary)}`);
    }
    for (const group of GROUPS) {
      for (const spec of COMMANDS.filter((s) => s.name.startsWith(`${group} `))) {
        const sub = spec.name.split(' ')[1] ?? '';
        lines.push(
          `${c} -n ${fishQuote(`__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${subs.join(' ')}`)} -a ${sub} -d ${fishQuote(spec.summary)}`,
        );
      }
    }
    lines.push(`${c} -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`);
    for (const [long, o] of Object.entries(GLOBAL_OPTIONS)) {
      lines.push(
        `${c} -l ${long}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ' -r -F' : ''} -d ${fishQuote(o.description)}`,
      );
    }
    for (const spec of COMMANDS.filter((s) => !s.passThrough)) {
      const words = spec.name.split(' ');
      const last = words[words.length - 1] ?? '';
      const when =
        words.length === 2
          ? `__fish_seen_subcommand_from ${words[0]}; and __fish_seen_subcommand_from ${last}`
          : `__fish_seen_subcommand_from ${last}`;
      const options: [string, OptionSpec][] = Object.entries(spec.options);
      if (spec.formats?.includes('csv'))
        options.push(['csv', { type: 'boolean', description: 'CSV output' }]);
      for (const [long, o] of options) {
        lines.push(
          `${c} -n ${fishQuote(when)} -l ${long}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ' -r -F' : ''} -d ${fishQuote(o.description)}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `completion <shell>`: prints the completion script for bash, zsh or fish.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const shell = ctx.positionals[0] ?? '';
  if (shell === 'bash') ctx.out(bashScript());
  else if (shell === 'zsh') ctx.out(zshScript());
  else if (shell === 'fish') ctx.out(fishScript());
  else throw usageError(`no completion for "${shell.slice(0, 32)}"`, `use one of: ${SHELLS.join(', ')}`);
  return 0;
}
