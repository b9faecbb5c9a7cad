/** The global filters, written to the URL on every change (so the view can be shared). */
import type { Listing, Row } from '../api.js';
import { routes } from '../api.js';
import { type Location, navigate, withParams } from '../filters.js';
import { useApi } from '../use-api.js';

function Choice(props: {
  name: 'plant' | 'line' | 'machine' | 'product';
  label: string;
  value: string | undefined;
  url: string;
  idColumn: string;
  nameColumn: string;
  location: Location;
}) {
  const fetched = useApi<Listing<Row>>(props.url);
  const items = fetched.state === 'done' ? fetched.data.items : [];
  const id = `filter-${props.name}`;
  // A value from a shared link that this lake lacks still shows, so the user sees why it is empty.
  const known = items.some((item) => item[props.idColumn] === props.value);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value ?? ''}
        onChange={(event) => navigate(withParams(props.location, { [props.name]: event.target.value }))}
      >
        <option value="">All</option>
        {props.value && !known ? <option value={props.value}>{props.value}</option> : null}
        {items.map((item) => {
          const value = String(item[props.idColumn]);
          const name = item[props.nameColumn];
          return (
            <option key={value} value={value}>
              {name && name !== value ? `${value} · ${String(name)}` : value}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export function FilterBar(props: { location: Location }) {
  const { filters } = props.location;
  const location = props.location;
  const any = Object.values(filters).some(Boolean);
  return (
    <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <Choice
        name="plant"
        label="Plant"
        value={filters.plant}
        url={routes.plants()}
        idColumn="plant_id"
        nameColumn="plant_name"
        location={location}
      />
      <Choice
        name="line"
        label="Line"
        value={filters.line}
        url={routes.lines(filters.plant)}
        idColumn="line_id"
        nameColumn="line_name"
        location={location}
      />
      <Choice
        name="machine"
        label="Machine"
        value={filters.machine}
        url={routes.machines(filters.plant, filters.line)}
        idColumn="machine_id"
        nameColumn="machine_name"
        location={location}
      />
      <Choice
        name="product"
        label="Product"
        value={filters.product}
        url={routes.products()}
        idColumn="product_id"
        nameColumn="product_name"
        location={location}
      />
      <div className="field">
        <label htmlFor="filter-from">From (production day)</label>
        <input
          id="filter-from"
          type="date"
          value={filters.from ?? ''}
          max={filters.to}
          onChange={(event) => navigate(withParams(location, { from: event.target.value }))}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-to">To</label>
        <input
          id="filter-to"
          type="date"
          value={filters.to ?? ''}
          min={filters.from}
          onChange={(event) => navigate(withParams(location, { to: event.target.value }))}
        />
      </div>
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
