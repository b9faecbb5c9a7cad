/** The global filters, written to the URL on every change (so the view can be shared). */
import type { Listing, Row } from '../api.js';
import { routes } from '../api.js';
import { type Location, navigate, withParams } from '../filters.js';
import { useApi } from '../use-api.js';

/** A master-data choice: the listing's `<name>_id` is the value, `<name>_name` its label. */
function Choice(props: {
  name: 'plant' | 'line' | 'machine' | 'product';
  label: string;
  url: string;
  location: Location;
}) {
  const value = props.location.filters[props.name];
  const idColumn = `${props.name}_id`;
  const nameColumn = `${props.name}_name`;
  const fetched = useApi<Listing<Row>>(props.url);
  const items = fetched.state === 'done' ? fetched.data.items : [];
  const id = `filter-${props.name}`;
  // A value from a shared link that this lake lacks still shows, so the user sees why it is empty.
  const known = items.some((item) => item[idColumn] === value);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(event) => navigate(withParams(props.location, { [props.name]: event.target.value }))}
      >
        <option value="">All</option>
        {value && !known ? <option value={value}>{value}</option> : null}
        {items.map((item) => {
          const id = String(item[idColumn]);
          const name = item[nameColumn];
          return (
            <option key={id} value={id}>
              {name && name !== id ? `${id} · ${String(name)}` : id}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/** A production-day bound; each bound keeps the other from crossing it. */
function DateField(props: { name: 'from' | 'to'; label: string; location: Location }) {
  const { filters } = props.location;
  const id = `filter-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="date"
        value={filters[props.name] ?? ''}
        min={props.name === 'to' ? filters.from : undefined}
        max={props.name === 'from' ? filters.to : undefined}
        onChange={(event) => navigate(withParams(props.location, { [props.name]: event.target.value }))}
      />
    </div>
  );
}

export function FilterBar(props: { location: Location }) {
  const { filters } = props.location;
  const location = props.location;
  const any = Object.values(filters).some(Boolean);
  return (
    <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <Choice name="plant" label="Plant" url={routes.plants()} location={location} />
      <Choice name="line" label="Line" url={routes.lines(filters.plant)} location={location} />
      <Choice
        name="machine"
        label="Machine"
        url={routes.machines(filters.plant, filters.line)}
        location={location}
      />
      <Choice name="product" label="Product" url={routes.products()} location={location} />
      <DateField name="from" label="From (production day)" location={location} />
      <DateField name="to" label="To" location={location} />
      <div className="field">
        <span className="label-spacer" aria-hidden="true">
          &nbsp;
        </span>
        <button
          type="button"
          disabled={!any}
          onClick={() =>
            navigate(
              withParams(location, {
                plant: undefined,
                line: undefined,
                machine: undefined,
                product: undefined,
                from: undefined,
                to: undefined,
              }),
            )
          }
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}
