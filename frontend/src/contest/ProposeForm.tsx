/**
 * The application as a form ("Предложить проект"), then "check your answers" before it is sent: the contest's
 * template fields (title, description, district, category, the cost estimate line by line, the residents' own share,
 * the place, photos). Photos are made smaller in the browser and stored as soon as they are chosen, so that sending
 * the application later only names them. A problem is shown beside its field and in a summary at the top that
 * links to it. Used for a new initiative and for a new version of one (`initial`).
 */
import { useEffect, useRef, useState, type Dispatch, type FormEvent, type ReactNode, type SetStateAction } from "react";
import { useTranslation } from "react-i18next";

import { CATEGORIES } from "@kopilka/core/category";
import { rubles } from "../format.js";
import { contentUrl, mapUrl, resizePhoto, uploadContent } from "./content.js";
import { boundsOf, type Bounds } from "../map/geo.js";
import { PlaceMap } from "./PlaceMap.js";
import type { DistrictMap } from "./placeMaps.js";
import { checkDraft, LIMITS, saveDraft, type Draft, type FieldProblem, type InitiativeFields } from "./draft.js";

export interface FormContext {
  services: string;
  districts: { id: number; name: string }[];
  /** What the place's map shows (./placeMaps.ts `districtMaps`). */
  maps: { region?: Bounds; districts: DistrictMap[] };
  /** sessionStorage key of this form's draft. */
  draftKey: string;
}

export function ProposeForm({
  context,
  draft,
  setDraft,
  onChecked,
}: {
  context: FormContext;
  draft: Draft;
  setDraft: Dispatch<SetStateAction<Draft>>;
  onChecked: (fields: InitiativeFields) => void;
}): ReactNode {
  const { t } = useTranslation();
  // After a first attempt to continue, the problems follow the draft: one fixed disappears as it is fixed.
  const [attempted, setAttempted] = useState(false);
  const checked = checkDraft(draft, context.districts.length, CATEGORIES);
  const problems: FieldProblem[] = attempted && "problems" in checked ? checked.problems : [];
  const summary = useRef<HTMLDivElement>(null);

  /** A change to the draft, or a function of the latest draft for changes that arrive later (an upload's end). */
  function update(change: Partial<Draft> | ((latest: Draft) => Partial<Draft>)) {
    setDraft((latest) => ({ ...latest, ...(typeof change === "function" ? change(latest) : change) }));
  }
  useEffect(() => saveDraft(context.draftKey, draft), [context.draftKey, draft]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if ("problems" in checked) {
      setAttempted(true);
      // The summary takes the focus, as a screen reader's user needs to hear what to fix.
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    onChecked(checked.fields);
  }

  const problemOf = (field: string) => problems.find((p) => p.field === field);
  const message = (p: FieldProblem) => t(p.message, p.values ?? {});
  const errorOf = (field: string) => {
    const problem = problemOf(field);
    return problem ? (
      <p className="error small" id={`${field}-error`}>
        {message(problem)}
      </p>
    ) : null;
  };
  const invalid = (field: string) =>
    problemOf(field) ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};

  return (
    <form onSubmit={onSubmit} noValidate className="contest-form" data-testid="propose-form">
      {problems.length > 0 && (
        <div className="notice error" role="alert" tabIndex={-1} ref={summary} data-testid="error-summary">
          <h2>{t("contest.form.errors.summary")}</h2>
          <ul>
            {problems.map((p) => (
              <li key={p.field}>
                <a href={`#${p.field}`}>{message(p)}</a>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="field">
        <label htmlFor="title">
          <span>{t("contest.form.title")}</span>
        </label>
        <p className="small muted">{t("contest.form.titleHint")}</p>
        <input
          id="title"
          value={draft.title}
          maxLength={LIMITS.title}
          onChange={(e) => update({ title: e.target.value })}
          {...invalid("title")}
        />
        {errorOf("title")}
      </div>

      <div className="field">
        <label htmlFor="description">
          <span>{t("contest.form.description")}</span>
        </label>
        <p className="small muted">{t("contest.form.descriptionHint")}</p>
        <textarea
          id="description"
          rows={6}
          value={draft.description}
          maxLength={LIMITS.description}
          onChange={(e) => update({ description: e.target.value })}
          {...invalid("description")}
        />
        {errorOf("description")}
      </div>

      <div className="field">
        <label htmlFor="district">
          <span>{t("contest.form.district")}</span>
        </label>
        <select
          id="district"
          value={draft.district}
          onChange={(e) => update({ district: e.target.value })}
          {...invalid("district")}
        >
          <option value="">{t("contest.form.choose")}</option>
          {context.districts.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        {errorOf("district")}
      </div>

      <div className="field">
        <label htmlFor="category">
          <span>{t("contest.form.category")}</span>
        </label>
        <select
          id="category"
          value={draft.category}
          onChange={(e) => update({ category: e.target.value })}
          {...invalid("category")}
        >
          <option value="">{t("contest.form.choose")}</option>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`glossary.category.${c}`)}
            </option>
          ))}
        </select>
        {errorOf("category")}
      </div>

      <CostFields draft={draft} update={update} errorOf={errorOf} invalid={invalid} />

      <div className="field">
        <label htmlFor="cofinancing">
          <span>{t("contest.form.cofinancing")}</span>
        </label>
        <p className="small muted">{t("contest.form.cofinancingHint")}</p>
        <input
          id="cofinancing"
          inputMode="decimal"
          value={draft.cofinancing}
          onChange={(e) => update({ cofinancing: e.target.value })}
          {...invalid("cofinancing")}
        />
        {errorOf("cofinancing")}
      </div>

      <LocationField context={context} draft={draft} update={update} errorOf={errorOf} invalid={invalid} />

      <PhotoField services={context.services} draft={draft} update={update} errorOf={errorOf} />

      <p className="buttons">
        <button type="submit" className="primary" data-testid="to-check">
          {t("contest.form.continue")}
        </button>
      </p>
    </form>
  );
}

interface FieldProps {
  draft: Draft;
  update: (change: Partial<Draft> | ((latest: Draft) => Partial<Draft>)) => void;
  errorOf: (field: string) => ReactNode;
  invalid?: (field: string) => Record<string, unknown>;
}

function CostFields({ draft, update, errorOf, invalid }: FieldProps): ReactNode {
  const { t } = useTranslation();
  const setLine = (index: number, change: Partial<Draft["costs"][number]>) =>
    update({ costs: draft.costs.map((line, i) => (i === index ? { ...line, ...change } : line)) });
  const checked = checkDraft(draft, Number.MAX_SAFE_INTEGER, CATEGORIES);
  const total = "fields" in checked ? checked.fields.cost : undefined;
  return (
    <fieldset className="field costs">
      <legend>
        <span>{t("contest.form.costs")}</span>
      </legend>
      <p className="small muted">{t("contest.form.costsHint")}</p>
      {draft.costs.map((line, index) => (
        <div className="cost-line" key={index}>
          <label>
            <span className="small">{t("contest.form.costItem", { n: index + 1 })}</span>
            <input
              id={`cost-item-${index}`}
              value={line.item}
              maxLength={LIMITS.item}
              onChange={(e) => setLine(index, { item: e.target.value })}
              {...invalid?.(`cost-item-${index}`)}
            />
          </label>
          <label>
            <span className="small">{t("contest.form.costAmount")}</span>
            <input
              id={`cost-amount-${index}`}
              inputMode="decimal"
              value={line.amount}
              onChange={(e) => setLine(index, { amount: e.target.value })}
              {...invalid?.(`cost-amount-${index}`)}
            />
          </label>
          {draft.costs.length > 1 && (
            <button
              type="button"
              className="link"
              onClick={() => update({ costs: draft.costs.filter((_, i) => i !== index) })}
            >
              {t("contest.form.removeLine")}
            </button>
          )}
          {errorOf(`cost-item-${index}`)}
          {errorOf(`cost-amount-${index}`)}
        </div>
      ))}
      {draft.costs.length < LIMITS.costLines && (
        <button
          type="button"
          className="link"
          data-testid="add-cost"
          onClick={() => update({ costs: [...draft.costs, { item: "", amount: "" }] })}
        >
          {t("contest.form.addLine")}
        </button>
      )}
      {total !== undefined && <p data-testid="cost-total">{t("contest.form.total", { amount: rubles(total) })}</p>}
    </fieldset>
  );
}

function LocationField({ context, draft, update, errorOf, invalid }: FieldProps & { context: FormContext }): ReactNode {
  const { t } = useTranslation();
  const [locating, setLocating] = useState(false);
  const [failed, setFailed] = useState(false);
  // The pin on the map, once both numbers are a place on Earth.
  const [lat, lon] = [Number(draft.lat.replace(",", ".")), Number(draft.lon.replace(",", "."))];
  const place =
    draft.lat.trim() !== "" && draft.lon.trim() !== "" && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
      ? { lat, lon }
      : undefined;
  const district = context.districts.find((d) => String(d.id) === draft.district);
  const map = district ? context.maps.districts[district.id] : undefined;
  // A contest with no areas and no initiatives yet: the map frames the first place typed (and stays there as the pin
  // moves), or there is no map to show.
  const [firstPlace, setFirstPlace] = useState(place);
  if (firstPlace === undefined && place !== undefined) setFirstPlace(place);
  const frame = map?.frame ?? context.maps.region ?? (firstPlace && boundsOf([firstPlace], 0.02));
  const placeOn = (where: { lat: number; lon: number }) =>
    update({ lat: where.lat.toFixed(6), lon: where.lon.toFixed(6) });
  function locate() {
    setLocating(true);
    setFailed(false);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        placeOn({ lat: position.coords.latitude, lon: position.coords.longitude });
      },
      () => {
        setLocating(false);
        setFailed(true);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }
  return (
    <fieldset className="field location" id="location">
      <legend>
        <span>{t("contest.form.location")}</span>
      </legend>
      <p className="small muted">{t("contest.form.locationHint")}</p>
      {"geolocation" in navigator && (
        <p>
          <button type="button" onClick={locate} disabled={locating}>
            {locating ? t("contest.form.locating") : t("contest.form.locate")}
          </button>
        </p>
      )}
      {failed && <p className="small warning">{t("contest.form.locateFailed")}</p>}
      {frame && (
        <PlaceMap
          // A new district's map starts from its whole area again.
          key={draft.district}
          frame={frame}
          area={map?.area}
          pin={place}
          label={
            district ? t("contest.form.map.label", { district: district.name }) : t("contest.form.map.labelRegion")
          }
          onPlace={placeOn}
        />
      )}
      <div className="coordinates">
        <label>
          <span className="small">{t("contest.form.lat")}</span>
          <input
            id="lat"
            inputMode="decimal"
            value={draft.lat}
            onChange={(e) => update({ lat: e.target.value })}
            {...invalid?.("location")}
          />
        </label>
        <label>
          <span className="small">{t("contest.form.lon")}</span>
          <input
            id="lon"
            inputMode="decimal"
            value={draft.lon}
            onChange={(e) => update({ lon: e.target.value })}
            {...invalid?.("location")}
          />
        </label>
      </div>
      {place && (
        <p className="small">
          <a href={mapUrl(place.lat, place.lon)} target="_blank" rel="noreferrer" data-testid="map-link">
            {t("contest.form.onMap")}
          </a>
        </p>
      )}
      {errorOf("location")}
    </fieldset>
  );
}

function PhotoField({ services, draft, update, errorOf }: FieldProps & { services: string }): ReactNode {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(0);
  const [failure, setFailure] = useState<string>();

  async function onFiles(files: FileList | null) {
    if (!files) return;
    setFailure(undefined);
    const room = LIMITS.photos - draft.photos.length;
    const chosen = [...files].slice(0, Math.max(0, room));
    if (files.length > room) setFailure(t("contest.form.photosMax", { max: LIMITS.photos }));
    setBusy((n) => n + chosen.length);
    for (const file of chosen) {
      try {
        const photo = await resizePhoto(file);
        const hash = await uploadContent(services, photo.bytes, "image/jpeg");
        const added = { hash, url: contentUrl(services, hash), width: photo.width, height: photo.height };
        update((latest) => ({
          photos: latest.photos.some((p) => p.hash === hash) ? latest.photos : [...latest.photos, added],
        }));
      } catch {
        setFailure(t("contest.form.photoFailed", { name: file.name }));
      } finally {
        setBusy((n) => n - 1);
      }
    }
  }

  return (
    <fieldset className="field photos" id="photos">
      <legend>
        <span>{t("contest.form.photos")}</span>
      </legend>
      <p className="small muted">{t("contest.form.photosHint", { max: LIMITS.photos })}</p>
      <ul className="photo-list" data-testid="photo-list">
        {draft.photos.map((photo, index) => (
          <li key={photo.hash}>
            <img
              src={photo.url}
              alt={t("contest.form.photoAlt", { n: index + 1 })}
              width={photo.width}
              height={photo.height}
            />
            <button
              type="button"
              className="link"
              onClick={() => update({ photos: draft.photos.filter((p) => p.hash !== photo.hash) })}
            >
              {t("contest.form.removePhoto")}
            </button>
          </li>
        ))}
      </ul>
      {draft.photos.length < LIMITS.photos && (
        <label className="button">
          {t("contest.form.addPhotos")}
          <input
            type="file"
            accept="image/*"
            multiple
            className="visually-hidden"
            data-testid="photo-input"
            onChange={(e) => {
              void onFiles(e.target.files);
              e.target.value = "";
            }}
          />
        </label>
      )}
      {busy > 0 && (
        <p role="status" className="small">
          {t("contest.form.uploading")}
        </p>
      )}
      {failure && (
        <p role="alert" className="error small">
          {failure}
        </p>
      )}
      {errorOf("photos")}
    </fieldset>
  );
}
