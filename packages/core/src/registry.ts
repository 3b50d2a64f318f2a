import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ChannelModel, PluginSpec, Teacher, TensorBackend } from './contracts';
import { ValidationError } from './errors';
import type { ZodType } from 'zod';

/**
 * What each plugin kind produces. Packages that add kinds extend this interface by declaration merging:
 *   declare module '@rrm/core' { interface PluginKinds { model: PowerModel } }
 */
export interface PluginKinds {
  channel: ChannelModel;
  teacher: Teacher;
  backend: TensorBackend;
}

export type PluginKind = keyof PluginKinds & string;

/** Builds one plugin instance from its config options; throws ValidationError on bad options. */
export type PluginFactory<T> = (options: Record<string, unknown>, ctx: FactoryContext) => T;

export interface FactoryContext {
  readonly registry: Registry;
  /** The config path of the spec being built, e.g. "teacher", for error messages. */
  readonly field: string;
}

export interface PluginEntry<T> {
  readonly name: string;
  readonly description: string;
  readonly create: PluginFactory<T>;
  /** The options' zod schema (see schema.ts): validates in `create` and renders the config reference. */
  readonly schema?: ZodType;
}

/** A plugin package or local file exports one of these (ARCHITECTURE.md, "Plugins"). */
export interface Plugin {
  readonly name: string;
  register(registry: Registry): void;
}

/**
 * Named factories per kind on a tsyringe container, in the spirit of tfjs's kernel registry: the
 * core looks entries up by (kind, name) and never names a concrete implementation. Each Registry owns
 * a child container, so tests and embedders get isolated registries.
 */
export class Registry {
  readonly container: DependencyContainer;
  private readonly index: Map<string, Set<string>>;
  private readonly plugins: Set<string>;

  constructor(parent: DependencyContainer = rootContainer, shared?: { index: Map<string, Set<string>>; plugins: Set<string> }) {
    this.container = parent.createChildContainer();
    this.index = shared?.index ?? new Map();
    this.plugins = shared?.plugins ?? new Set();
  }

  /**
   * A registry for one pipeline run: the same plugins, resolved through a child container that also holds
   * the run's shared services (RNG streams, label cache, scenario, …), which factories reach through
   * `ctx.registry.service(name)`. Runs never see each other's services.
   */
  scope(): Registry {
    return new Registry(this.container, { index: this.index, plugins: this.plugins });
  }

  provide<T>(service: string, value: T): this {
    this.container.register(`rrm:service:${service}`, { useValue: value });
    return this;
  }

  service<T>(service: string): T {
    const token = `rrm:service:${service}`;
    if (!this.container.isRegistered(token, true)) throw new Error(`no '${service}' service in this registry (services exist inside a pipeline run: Registry.scope())`);
    return this.container.resolve<T>(token);
  }

  /** Registers a plugin once; registering the same plugin name again is a no-op. */
  use(plugin: Plugin): this {
    if (!this.plugins.has(plugin.name)) {
      this.plugins.add(plugin.name);
      plugin.register(this);
    }
    return this;
  }

  usedPlugins(): string[] {
    return [...this.plugins];
  }

  add<K extends string>(kind: K, entry: PluginEntry<K extends PluginKind ? PluginKinds[K] : unknown>): this {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(entry.name)) {
      throw new ValidationError(`${kind} plugin name`, 'lower-case letters, digits and dashes', entry.name);
    }
    const names = this.index.get(kind) ?? new Set<string>();
    if (names.has(entry.name)) throw new Error(`a ${kind} named '${entry.name}' is already registered`);
    names.add(entry.name);
    this.index.set(kind, names);
    this.container.register(token(kind, entry.name), { useValue: entry });
    return this;
  }

  has(kind: string, name: string): boolean {
    return this.index.get(kind)?.has(name) ?? false;
  }

  kinds(): string[] {
    return [...this.index.keys()].sort();
  }

  list(kind: string): PluginEntry<unknown>[] {
    return [...(this.index.get(kind) ?? [])].sort().map((n) => this.entry(kind, n));
  }

  entry<K extends string>(kind: K, name: string, field = kind as string): PluginEntry<K extends PluginKind ? PluginKinds[K] : unknown> {
    if (!this.has(kind, name)) {
      const known = [...(this.index.get(kind) ?? [])].sort();
      throw new ValidationError(
        `${field}.kind`,
        known.length ? `a registered ${kind} (${known.join(', ')})` : `a registered ${kind} (none registered)`,
        name,
      );
    }
    return this.container.resolve(token(kind, name));
  }

  /** Resolves `{ kind, ...options }` to an instance; unknown kinds list the registered ones. */
  create<K extends string>(kind: K, spec: PluginSpec | string, field = kind as string): K extends PluginKind ? PluginKinds[K] : unknown {
    const s: PluginSpec = typeof spec === 'string' ? { kind: spec } : spec;
    if (s === null || typeof s !== 'object' || typeof s.kind !== 'string') {
      throw new ValidationError(`${field}.kind`, `a string naming a registered ${kind}`, s === null ? null : (s as PluginSpec)?.kind);
    }
    const { kind: name, ...options } = s;
    return this.entry(kind, name, field).create(options, { registry: this, field }) as never;
  }
}

function token(kind: string, name: string): string {
  return `rrm:${kind}:${name}`;
}
